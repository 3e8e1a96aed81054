"""The sandbox gateway: behaves like a real processor, keeps no numbers.

Test numbers (docs/billing.md):
  4242 4242 4242 4242  approved          4000 0000 0000 0002  declined
  4000 0000 0000 9995  insufficient funds
  eCheck routing 110000000 + account 000111111116 → the bank refuses it; any other valid
  routing number (ABA checksum) and 4–17 digit account → approved.
Any other card number passing the Luhn check is approved; a bad Luhn digit, an expired or
impossible expiry, a bad CVC or routing number is refused at tokenisation, per field.
"""

import secrets
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from springboard.billing.cards import luhn_ok
from springboard.billing.gateways.base import (
    ChargeResult,
    Gateway,
    Outcome,
    RefundResult,
    TokenisedMethod,
    TokeniseError,
)
from springboard.billing.gateways.sandbox.models import SandboxCharge, SandboxRefund, SandboxToken
from springboard.core.parsing import ascii_digits, whole_number
from springboard.core.prepared import Prepared

CARD_OUTCOMES = {
    "4000000000000002": Outcome.DECLINED,
    "4000000000009995": Outcome.INSUFFICIENT_FUNDS,
}
FAILING_BANK_ACCOUNT = ("110000000", "000111111116")
BANK_NAMES = {"110000000": "Sandbox Test Bank", "011000015": "Federal Reserve Bank"}
MESSAGES = {
    Outcome.APPROVED: "",
    Outcome.DECLINED: "Your card was declined. Try another card or payment method.",
    Outcome.INSUFFICIENT_FUNDS: "Your card was declined for insufficient funds.",
}
ECHECK_DECLINED = "Your bank could not process a payment from this account."


def digits_only(value: str) -> str:
    return "".join(ch for ch in (value or "") if not ch.isspace() and ch != "-")


def aba_routing_ok(routing: str) -> bool:
    """The ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10."""
    if len(routing) != 9 or not ascii_digits(routing):
        return False
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4] or 0) <= 2720:
        return "Mastercard"
    if number.startswith("6011") or number.startswith("65"):
        return "Discover"
    return "Card"


def check_card(fields: dict[str, str], today: date) -> tuple[TokenisedMethod, str]:
    """Validate card fields; returns the shown part and the outcome, or TokeniseError."""
    errors: dict[str, str] = {}
    number = digits_only(fields.get("number", ""))
    if not ascii_digits(number) or not 12 <= len(number) <= 19 or not luhn_ok(number):
        errors["number"] = _("Check the card number.")
    month_text = (fields.get("exp_month") or "").strip()
    year_text = (fields.get("exp_year") or "").strip()
    month = whole_number(month_text, maximum=99) or 0
    year = whole_number(year_text, maximum=9999) or 0
    if 0 < year < 100:
        year += 2000
    if not 1 <= month <= 12 or not 2000 <= year <= 2099:
        errors["expiry"] = _("Enter the expiry as month and year, e.g. 04 / 29.")
    elif (year, month) < (today.year, today.month):
        errors["expiry"] = _("This card has expired.")
    cvc = (fields.get("cvc") or "").strip()
    if not (ascii_digits(cvc) and 3 <= len(cvc) <= 4):
        errors["cvc"] = _("Enter the 3 or 4 digit security code.")
    if errors:
        raise TokeniseError(errors)
    shown = TokenisedMethod(
        token="",
        kind="card",
        brand=card_brand(number),
        last4=number[-4:],
        exp_month=month,
        exp_year=year,
    )
    return shown, CARD_OUTCOMES.get(number, Outcome.APPROVED)


def check_bank_account(fields: dict[str, str]) -> tuple[TokenisedMethod, str]:
    errors: dict[str, str] = {}
    routing = digits_only(fields.get("routing_number", ""))
    account = digits_only(fields.get("account_number", ""))
    if not aba_routing_ok(routing):
        errors["routing_number"] = _("Check the 9-digit routing number.")
    if not (ascii_digits(account) and 4 <= len(account) <= 17):
        errors["account_number"] = _("Check the account number (4 to 17 digits).")
    if errors:
        raise TokeniseError(errors)
    outcome = Outcome.DECLINED if (routing, account) == FAILING_BANK_ACCOUNT else Outcome.APPROVED
    shown = TokenisedMethod(
        token="", kind="echeck", brand=BANK_NAMES.get(routing, "Bank"), last4=account[-4:]
    )
    return shown, outcome


def _method(row: SandboxToken) -> TokenisedMethod:
    return TokenisedMethod(
        token=row.token,
        kind=row.kind,
        brand=row.brand,
        last4=row.last4,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
    )


def _insert(row) -> None:
    """One INSERT; inside a caller's transaction in a savepoint, so a duplicate key leaves
    that transaction usable (outside one, the statement is its own transaction)."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            row.save()
    else:
        row.save()


# Compiled once per process (core.prepared): every payment describes and charges a token.
_TOKEN = Prepared(
    lambda merchant, token: SandboxToken.objects.filter(merchant=merchant, token=token)
)


class SandboxGateway(Gateway):
    name = "sandbox"

    @property
    def merchant(self) -> str:
        return self.organization.account_name

    def client_config(self) -> dict:
        from django.templatetags.static import static

        return {
            "name": self.name,
            "echeck": True,
            "script": static("sandbox_gateway/fields.js"),
            "endpoint": reverse("sandbox_gateway:tokens"),
            "merchant": self.merchant,
        }

    def tokenise(
        self, *, kind: str, fields: dict[str, str], idempotency_key: str, today: date
    ) -> TokenisedMethod:
        if kind == "card":
            shown, outcome = check_card(fields, today)
        elif kind == "echeck":
            shown, outcome = check_bank_account(fields)
        else:
            raise TokeniseError({"kind": _("Choose card or bank account.")})
        key = (idempotency_key or "")[:100]
        if key:
            existing = SandboxToken.objects.filter(merchant=self.merchant, idempotency_key=key)
            if row := existing.first():
                return _method(row)
        row = SandboxToken(
            merchant=self.merchant,
            token=f"tok_sandbox_{secrets.token_hex(12)}",
            kind=shown.kind,
            brand=shown.brand,
            last4=shown.last4,
            exp_month=shown.exp_month,
            exp_year=shown.exp_year,
            outcome=outcome,
            idempotency_key=key,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            row = SandboxToken.objects.get(merchant=self.merchant, idempotency_key=key)
        return _method(row)

    def _token_row(self, token: str) -> SandboxToken | None:
        """The token's row, read once per gateway (one request): `describe` then `charge`
        asked for it twice (issue 17). A token row never changes once written."""
        known = self.__dict__.setdefault("_token_rows", {})
        if token not in known:
            found = _TOKEN(merchant=self.merchant, token=token)  # the token is unique
            known[token] = found[0] if found else None
        return known[token]

    def describe(self, token: str) -> TokenisedMethod | None:
        row = self._token_row(token)
        return _method(row) if row else None

    def charge(
        self,
        *,
        token: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        description: str,
        on_session: bool = False,
    ) -> ChargeResult:
        # The charge is inserted first: its unique key says whether this key was charged
        # before (a retry, a double submit), which is then answered from the row found.
        method = self._token_row(token)
        if method is not None:
            row = SandboxCharge(
                merchant=self.merchant,
                idempotency_key=idempotency_key,
                reference=f"ch_sandbox_{secrets.token_hex(12)}",
                token=token,
                amount=amount,
                currency=currency,
                outcome=method.outcome,
            )
            try:
                _insert(row)
                return self._result(row, method.kind)
            except IntegrityError:
                pass
        existing = SandboxCharge.objects.filter(
            merchant=self.merchant, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            return ChargeResult(Outcome.DECLINED, "", _("Unknown payment method."))
        if existing.token != token or existing.amount != amount:
            return ChargeResult(Outcome.ERROR, "", _("This key was used for a different payment."))
        kind = SandboxToken.objects.filter(token=existing.token).values_list("kind", flat=True)
        return self._result(existing, kind.first() or "card")

    @staticmethod
    def _result(row: SandboxCharge, kind: str) -> ChargeResult:
        message = MESSAGES[row.outcome]
        if kind == "echeck" and row.outcome != Outcome.APPROVED:
            message = ECHECK_DECLINED
        return ChargeResult(row.outcome, row.reference, message)

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        with transaction.atomic():
            charge = (
                SandboxCharge.objects.select_for_update()
                .filter(merchant=self.merchant, reference=charge_reference)
                .first()
            )
            # The key is looked up under the charge's lock: the same refund asked twice at
            # once (a double-submitted form) answers the first's refund to both, as Stripe's
            # idempotency keys do. Looked up before the lock, the second waited, then found
            # the money refunded and refused, and the ledger could record that refusal for
            # the refund the gateway had made.
            existing = SandboxRefund.objects.filter(
                merchant=self.merchant, idempotency_key=idempotency_key
            ).first()
            if existing:
                return RefundResult(True, existing.reference, "")
            if charge is None or charge.outcome != Outcome.APPROVED:
                return RefundResult(False, "", _("The gateway has no such payment."))
            refunded = charge.refunds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
            if refunded + amount > charge.amount:
                return RefundResult(False, "", _("That is more than the payment."))
            row = SandboxRefund.objects.create(
                merchant=self.merchant,
                idempotency_key=idempotency_key,
                reference=f"re_sandbox_{secrets.token_hex(12)}",
                charge=charge,
                amount=amount,
            )
            return RefundResult(True, row.reference, "")

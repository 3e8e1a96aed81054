"""Paying a family's outstanding charges: take the money once, apply it, say what happened.

One service (`pay_charges`) does the whole "pay these charges" flow that My Account's
Payments page offers, with ONE idempotency key per form state:

    family-<id>-pay-<sha256 of the sorted charge ids>-after-<last attempt id the page saw>

`seen_attempt` is the id of the family's latest payment attempt (any status) when the page
was rendered (`payment_form_state`). Two tabs rendered from the same ledger state and
paying the same charges therefore share one key, so the gateway charges once and one
Payment is recorded — however the two submits interleave. A decline is an attempt, so the
page rendered after it carries a new state and the next try is a new key; the same declined
form submitted again keeps answering "declined".

The gateway is called outside the family's ledger lock (record_payment); the allocation runs
in a short transaction under it. Whatever of the payment cannot be applied there (the
charges were paid, credited or voided meanwhile, e.g. from another tab with an overlapping
selection) stays on the family's account as credit, and the result says how much, so the
page can say so plainly. Nothing raises after the money was taken.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from springboard.billing import balances, claims
from springboard.billing.autopay_models import ChargeClaim
from springboard.billing.errors import (
    AuthenticationRequired,
    GatewayUnavailable,
    InvalidAmount,
    LedgerError,
    WrongFamily,
)
from springboard.billing.gateways.base import Gateway
from springboard.billing.models import Allocation, Charge, Payment
from springboard.billing.services import (
    _amount,
    _check_family,
    allocate_oldest_first,
    lock_family,
    record_payment_once,
)
from springboard.core.money import format_money
from springboard.families.models import Family

PAY_KEY = re.compile(r"^family-(?P<family>\d+)-pay-[0-9a-f]{16}-after-\d+$")


class ChargesChanged(LedgerError):
    """Some selected charges are no longer owed (paid, credited or voided since the page)."""


@dataclass(frozen=True)
class PaidCharges:
    payment: Payment
    charges: list[Charge]
    allocations: list[Allocation] = field(default_factory=list)
    unapplied: Decimal = Decimal("0.00")  # taken but not applied: stays as credit
    replayed: bool = False  # this form had already paid (a double submit, another tab)


def payment_form_state(family) -> int:
    """What a pay form remembers of the ledger: the id of the latest payment attempt."""
    return Payment.objects.filter(family=family).aggregate(last=Max("pk"))["last"] or 0


def pay_key(family, charge_ids: Iterable[int], seen_attempt: int) -> str:
    digest = hashlib.sha256(",".join(str(i) for i in sorted(set(charge_ids))).encode())
    return f"family-{family.pk}-pay-{digest.hexdigest()[:16]}-after-{int(seen_attempt)}"


def pay_charges(
    *,
    organization,
    family,
    charge_ids: Iterable[int],
    token: str,
    seen_attempt: int,
    now: datetime,
    amount=None,
    actor=None,
    gateway: Gateway | None = None,
    description: str = "",
) -> PaidCharges:
    """Take `amount` (default: all that is open on the charges; never more) with `token` and
    apply it oldest due first. Raises LedgerError before any money is taken (charges not
    owed any more, bad amount, declined, gateway down); never after."""
    _check_family(organization, family)
    ids = sorted(set(charge_ids))
    if not ids:
        raise LedgerError(_("Choose the charges to pay."))
    # Counted, not excluded: inside a portal's scope another organization's charge is not
    # even visible, and must still be "not yours" (404), never "already paid".
    if Charge.objects.filter(pk__in=ids, family=family).count() < len(ids):
        raise WrongFamily()
    key = pay_key(family, ids, seen_attempt)
    ordered = Charge.objects.filter(pk__in=ids).order_by("due_date", "created_at", "pk")
    earlier = Payment.objects.filter(organization=organization, idempotency_key=key).first()
    if earlier is not None and earlier.succeeded:
        if amount is not None and str(amount).strip() and _amount(amount) != earlier.amount:
            raise ChargesChanged(
                _(
                    "A payment of %(amount)s was already made for these charges from another "
                    "page; check what is still owed and pay again."
                )
                % {"amount": format_money(earlier.amount, currency=family.organization.currency)}
            )
        return _finish(organization, earlier, list(ordered), now, actor, replayed=True)

    selected = list(balances.outstanding_charges(family).filter(pk__in=ids))
    if len(selected) != len(ids):
        raise ChargesChanged(_("Some of those charges are already paid."))
    owed = sum((c.open_amount for c in selected), Decimal("0.00"))
    if amount is None or str(amount).strip() == "":
        amount = owed
    amount = _amount(amount)
    if amount > owed:
        raise InvalidAmount(
            _("That is more than the selected charges (%(owed)s).")
            % {"owed": format_money(owed, currency=family.organization.currency)}
        )
    # Claim the charges (family lock, short transaction) so that autopay cannot charge the
    # card for them while this payment is at the gateway (billing/claims.py).
    with transaction.atomic():
        lock_family(organization, family)
        # Under the lock, again: autopay may have paid them since they were read above (its
        # claim released meanwhile). A payment under this key already (another tab) is this
        # form's answer, whatever is owed now.
        taken = Payment.objects.filter(organization=organization, idempotency_key=key).exists()
        still_owed = balances.outstanding_charges(family).filter(pk__in=ids).count()
        if not taken and still_owed != len(ids):
            raise ChargesChanged(_("Some of those charges are already paid."))
        claims.claim(organization=organization, charge_ids=ids, key=key, now=now)
    try:
        paid = _pay_claimed(
            organization, family, key, ordered, amount, token, now, actor, gateway, description
        )
    except AuthenticationRequired:
        # The family is authenticating with its bank and will send this form again: the
        # charges stay claimed (autopay leaves them alone) until then, or CLAIM_MINUTES.
        raise
    except BaseException:
        claims.release(organization=organization, key=key, now=now)
        raise
    claims.release(organization=organization, key=key, now=now)
    return paid


def _pay_claimed(
    organization, family, key, ordered, amount, token, now, actor, gateway, description
) -> PaidCharges:
    try:
        payment, recorded = record_payment_once(
            organization=organization,
            family=family,
            amount=amount,
            token=token,
            idempotency_key=key,
            now=now,
            actor=actor,
            gateway=gateway,
            description=description or _("Payment of outstanding charges"),
            on_session=True,
        )
    except GatewayUnavailable as error:
        # The gateway also refuses a key it is charging for another tab with another token
        # (a card typed in both): that tab's payment, once recorded, is this form's answer.
        other = Payment.objects.filter(organization=organization, idempotency_key=key).first()
        if other is None or not other.succeeded:
            raise GatewayUnavailable(
                _(
                    "The payment did not go through (%(reason)s). If these charges are being "
                    "paid from another page too, reload in a moment to see that payment."
                )
                % {"reason": error.message}
            ) from None
        payment, recorded = other, False
    # Not recorded by this call: the other tab that shared this key a moment ago did.
    return _finish(organization, payment, list(ordered), now, actor, replayed=not recorded)


def _finish(organization, payment, charges, now, actor, *, replayed: bool) -> PaidCharges:
    try:
        allocations = allocate_oldest_first(
            organization=organization, payment=payment, charges=charges, now=now, actor=actor
        )
    except LedgerError:  # the money was taken: never report it as a failure
        allocations = []
    left = balances.payment_unallocated_amount(payment)
    return PaidCharges(
        payment=payment,
        charges=charges,
        allocations=allocations,
        unapplied=left,
        replayed=replayed,
    )


def record_taken_elsewhere(
    *, organization, key: str, amount: Decimal, token: str, now: datetime
) -> PaidCharges | None:
    """The processor says a Payments-page payment under `key` succeeded, but the family's
    browser never came back to record it (closed during the bank's check, or the request
    died after Stripe answered): Stripe's webhook (checkout/stripe_webhooks.py) records it
    here with the same key, so the browser coming back later finds this payment and nothing
    is recorded twice. It is applied to the charges that form claimed (billing/claims.py
    keeps the claim rows), oldest first; whatever they no longer owe stays as credit.
    None: not a Payments-page key of this organization."""
    match = PAY_KEY.match(key)
    if match is None:
        return None
    family = Family.objects.filter(organization=organization, pk=int(match["family"])).first()
    if family is None:
        return None
    ids = set(
        ChargeClaim.objects.filter(organization=organization, key=key).values_list(
            "charge_id", flat=True
        )
    )
    ordered = Charge.objects.filter(pk__in=ids, family=family).order_by(
        "due_date", "created_at", "pk"
    )
    payment, recorded = record_payment_once(
        organization=organization,
        family=family,
        amount=amount,
        token=token,
        idempotency_key=key,
        now=now,
        description=_("Payment of outstanding charges"),
    )
    return _finish(organization, payment, list(ordered), now, None, replayed=not recorded)

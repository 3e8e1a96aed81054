"""The Stripe adapter: the same `Gateway` interface as the sandbox, through the official
`stripe` library, one StripeClient per organization (its own secret key; the tests point
`STRIPE_API_BASE` at localstripe).

The browser confirms a SetupIntent with Stripe.js's card fields (3-D Secure is Stripe.js's
business there) and hands our form only the PaymentMethod id (`pm_…`): that id is the token.
`charge()` creates and confirms a PaymentIntent for it — off-session when the method is a
saved one and the family is not there (autopay) — and `refund()` refunds that intent. When
the bank asks the family at the page to authenticate the payment itself, `charge()` answers
REQUIRES_ACTION with the intent's client secret; the same key later retrieves the intent and
answers Stripe's final result (docs/billing.md, "3-D Secure asked for by the payment").
Every create call carries an idempotency key, and `StripeIntent` remembers which intent a
key created, so a retry never pays twice even where the Idempotency-Key header is not kept.
Bank accounts (ACH) are switched off: `client_config()["echeck"]` is False.
"""

import contextlib
import logging
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from springboard.billing.errors import GatewayUnavailable
from springboard.billing.gateways.base import (
    ChargeResult,
    Gateway,
    Outcome,
    RefundResult,
    TokenisedMethod,
    TokeniseError,
)
from springboard.billing.gateways.stripe.models import GatewaySettings, StripeCustomer, StripeIntent

logger = logging.getLogger(__name__)

DECLINED = gettext_lazy("Your card was declined. Try another card or payment method.")
DECLINE_MESSAGES = {
    "insufficient_funds": gettext_lazy("Your card was declined for insufficient funds."),
    "expired_card": gettext_lazy("This card has expired. Try another card."),
    "incorrect_cvc": gettext_lazy("The card's security code is incorrect."),
    "authentication_required": gettext_lazy(
        "Your bank asks you to confirm this payment. Pay with the card on the payment page "
        "to confirm it."
    ),
    "payment_intent_authentication_failure": gettext_lazy(
        "The card's bank could not confirm this payment. Try again or use another card."
    ),
}
AUTHENTICATE = gettext_lazy(
    "Your bank asks you to confirm this payment. Follow its steps in the window that opens."
)
NOT_CONFIRMED = gettext_lazy(
    "This payment was not confirmed with your bank, so nothing was charged. Try again."
)
NOT_KNOWN_YET = gettext_lazy(
    "The payment processor could not be reached to finish this payment. If your bank "
    "confirmed it, it will show on your account shortly; trying again will not charge you "
    "twice."
)
TAKEN_ALREADY = gettext_lazy(
    "Your earlier payment with another card went through; it will show on your account "
    "shortly, so nothing more is charged now."
)
UNAVAILABLE = gettext_lazy(
    "The payment processor could not be reached. Nothing was charged; try again."
)


def minor_units(amount: Decimal) -> int:
    """Stripe counts cents (every currency we offer has two decimals)."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def client_for(secret_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=1,
    )


def idempotency_header(key: str) -> str:
    """The Idempotency-Key Stripe sees: our key, after the installation's name (set when
    several databases share one Stripe account, e.g. test runs against Stripe's test mode,
    whose keys live 24 hours and would otherwise collide: order-1-attempt-1 again)."""
    name = settings.STRIPE_INSTALLATION
    return f"{name}:{key}" if name else key


def tagged(metadata: dict) -> dict:
    """Our metadata on what we create at Stripe, with the installation's name if it has one
    (Stripe drops empty values); the webhook ignores objects of another installation."""
    if settings.STRIPE_INSTALLATION:
        return {**metadata, "springboard_installation": settings.STRIPE_INSTALLATION}
    return metadata


def ours(metadata: dict | None) -> bool:
    return (metadata or {}).get("springboard_installation", "") == settings.STRIPE_INSTALLATION


def check_secret_key(secret_key: str) -> str:
    """A test call to the account (the admin's save): returns the account's id or raises
    stripe.StripeError with the processor's reason."""
    client = client_for(secret_key)
    try:
        account = client.v1.accounts.retrieve_current()
        return getattr(account, "id", "") or ""
    except stripe.StripeError as error:
        if getattr(error, "http_status", None) != 404:
            raise
        # Not every Stripe-compatible server has /v1/account (localstripe); listing customers
        # still proves the key is accepted.
        client.v1.customers.list({"limit": 1})
        return ""


def _metadata(row) -> dict:
    return row.to_dict().get("metadata") or {}


def _describe(pm) -> TokenisedMethod:
    card = pm.card
    return TokenisedMethod(
        token=pm.id,
        kind="card",
        brand=str(card.brand or "card").replace("_", " ").title(),
        last4=str(card.last4),
        exp_month=int(card.exp_month) if card.exp_month else None,
        exp_year=int(card.exp_year) if card.exp_year else None,
    )


def _decline_message(error: stripe.StripeError) -> tuple[str, str]:
    code = getattr(error, "code", None) or ""
    decline = ""
    body = getattr(error, "json_body", None) or {}
    if isinstance(body, dict):
        decline = (body.get("error") or {}).get("decline_code") or ""
    outcome = (
        Outcome.INSUFFICIENT_FUNDS if "insufficient_funds" in (code, decline) else Outcome.DECLINED
    )
    return outcome, str(DECLINE_MESSAGES.get(decline) or DECLINE_MESSAGES.get(code) or DECLINED)


class StripeGateway(Gateway):
    name = "stripe"

    def __init__(self, organization, config: GatewaySettings | None = None) -> None:
        super().__init__(organization)
        if config is None:
            with scopes_disabled():
                config = GatewaySettings.objects.get(organization=organization)
        self.config = config
        self.client = client_for(config.secret_key)

    # --- the browser's side -----------------------------------------------------------------
    def client_config(self, *, setup: bool = True) -> dict:
        """Stripe.js, the publishable key and a SetupIntent's client secret: the page's card
        fields confirm it (3-D Secure included) and hand our form the PaymentMethod id.
        `setup=False`: a page that takes no new card (the bank's check of a payment)."""
        config = {
            "name": self.name,
            "script": static("stripe_gateway/fields.js"),
            "stripe_js": settings.STRIPE_JS_URL,
            "publishable_key": self.config.publishable_key,
            "echeck": False,
            "setup_secret": "",
        }
        if not setup:
            return config
        try:
            intent = self.client.v1.setup_intents.create(
                {"usage": "off_session", "payment_method_types": ["card"]},
                {"idempotency_key": f"setup:{uuid.uuid4()}"},
            )
            config["setup_secret"] = intent.client_secret
        except stripe.StripeError as error:
            logger.warning("Stripe SetupIntent for %s failed: %s", self.organization, type(error))
        return config

    def tokenise(
        self, *, kind: str, fields: dict[str, str], idempotency_key: str, today: date
    ) -> TokenisedMethod:
        # Numbers are typed into Stripe.js's fields and go to Stripe; never to us.
        raise TokeniseError({"kind": _("Card details are entered in Stripe's card fields.")})

    def describe(self, token: str) -> TokenisedMethod | None:
        if not token.startswith("pm_"):
            return None
        try:
            pm = self.client.v1.payment_methods.retrieve(token)
        except (stripe.InvalidRequestError, stripe.AuthenticationError, stripe.PermissionError):
            return None  # not a method of this account
        except stripe.StripeError:
            raise GatewayUnavailable(str(UNAVAILABLE)) from None
        if getattr(pm, "type", "") != "card" or not getattr(pm, "card", None):
            return None
        return _describe(pm)

    # --- saved cards --------------------------------------------------------------------------
    def customer_for(self, family) -> str:
        with scopes_disabled():
            row = StripeCustomer.objects.filter(
                organization=self.organization, family=family
            ).first()
        if row:
            return row.customer_id
        customer = self.client.v1.customers.create(
            {"email": family.email or None, "metadata": {"family": str(family.pk)}}
            if family.email
            else {"metadata": {"family": str(family.pk)}},
            {"idempotency_key": idempotency_header(f"customer:{self.organization.pk}:{family.pk}")},
        )
        try:
            with transaction.atomic():
                StripeCustomer.objects.create(
                    organization=self.organization, family=family, customer_id=customer.id
                )
        except IntegrityError:
            with scopes_disabled():
                return StripeCustomer.objects.get(family=family).customer_id
        return customer.id

    def prepare_for_reuse(self, *, token: str, family) -> str:
        """Attach the card to the family's Customer so autopay can charge it off-session."""
        try:
            customer = self.customer_for(family)
            pm = self.client.v1.payment_methods.retrieve(token)
            if getattr(pm, "customer", None) != customer:
                self.client.v1.payment_methods.attach(
                    token,
                    {"customer": customer},
                    {"idempotency_key": idempotency_header(f"attach:{token}:{customer}")},
                )
        except stripe.StripeError as error:
            logger.info("Stripe refused to keep a card: %s", type(error).__name__)
            return ""
        return token

    # --- money --------------------------------------------------------------------------------
    def charge_under_way(self, idempotency_key: str) -> bool:
        with scopes_disabled():
            return StripeIntent.objects.filter(
                organization=self.organization, idempotency_key=idempotency_key
            ).exists()

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
        cents = minor_units(amount)
        with scopes_disabled():
            known = StripeIntent.objects.filter(
                organization=self.organization, idempotency_key=idempotency_key
            ).first()
        if known is not None:
            return self._again(known, token=token, cents=cents, on_session=on_session)
        try:
            pm = self.client.v1.payment_methods.retrieve(token)
        except stripe.InvalidRequestError:
            return ChargeResult(Outcome.DECLINED, "", _("Unknown payment method."))
        except stripe.StripeError:
            return ChargeResult(Outcome.ERROR, "", str(UNAVAILABLE))
        params = {
            "amount": cents,
            "currency": currency.lower(),
            "payment_method": token,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": tagged(
                {
                    "springboard_key": idempotency_key,
                    "springboard_organization": self.organization.account_name,
                    "description": description[:200],
                }
            ),
        }
        customer = getattr(pm, "customer", None)
        if customer:
            params["customer"] = customer
            if not on_session:
                # A saved card charged without the family (autopay): Stripe must not ask for
                # authentication now; it declines with authentication_required instead.
                params["off_session"] = True
        try:
            intent = self.client.v1.payment_intents.create(
                params, {"idempotency_key": idempotency_header(idempotency_key)}
            )
        except stripe.CardError as error:
            outcome, message = _decline_message(error)
            intent_id = ((getattr(error, "json_body", None) or {}).get("error") or {}).get(
                "payment_intent", {}
            )
            reference = intent_id.get("id", "") if isinstance(intent_id, dict) else ""
            return ChargeResult(outcome, reference, message)
        except stripe.StripeError as error:
            logger.warning("Stripe charge failed: %s", type(error).__name__)
            return ChargeResult(Outcome.ERROR, "", str(UNAVAILABLE))
        try:
            with transaction.atomic():
                StripeIntent.objects.create(
                    organization=self.organization,
                    idempotency_key=idempotency_key,
                    intent_id=intent.id,
                    payment_method=token,
                    amount_minor=cents,
                )
        except IntegrityError:
            pass  # a concurrent call with the same key recorded the same intent first
        return self._result(intent, on_session=on_session)

    def _again(self, known: StripeIntent, *, token: str, cents: int, on_session: bool):
        """The same key again: the intent it created, as Stripe has it now (after the
        family's authentication in the browser, or a retry after no answer)."""
        try:
            intent = self.client.v1.payment_intents.retrieve(known.intent_id)
        except stripe.StripeError:
            # Stripe may already have taken it (the family's bank said yes): not "nothing
            # was charged"; the same form later, or Stripe's webhook, records the answer.
            return ChargeResult(Outcome.ERROR, "", str(NOT_KNOWN_YET))
        if known.payment_method == token and known.amount_minor == cents:
            return self._result(intent, on_session=on_session)
        if intent.status in {"succeeded", "processing"}:
            return ChargeResult(Outcome.ERROR, "", str(TAKEN_ALREADY))
        # The family left a payment waiting for its bank and came back with another card:
        # the waiting one is cancelled and this attempt ends declined (the next try is a new
        # key), so nothing can be taken twice.
        with contextlib.suppress(stripe.StripeError):
            intent = self.client.v1.payment_intents.cancel(intent.id)
        if intent.status == "succeeded":  # it was authenticated just before the cancel
            return ChargeResult(Outcome.ERROR, "", str(TAKEN_ALREADY))
        return ChargeResult(Outcome.DECLINED, intent.id, str(NOT_CONFIRMED))

    def _result(self, intent, *, on_session: bool = False) -> ChargeResult:
        status = intent.status
        if status == "succeeded":
            return ChargeResult(Outcome.APPROVED, intent.id, "")
        if status == "processing":
            return ChargeResult(
                Outcome.ERROR, "", _("The payment is still processing; look again shortly.")
            )
        if status == "requires_action":
            if on_session and intent.client_secret:
                # The family is at the page: Stripe.js runs the bank's check with the
                # client secret, then the same form asks again (docs/billing.md, "3-D Secure").
                return ChargeResult(
                    Outcome.REQUIRES_ACTION,
                    intent.id,
                    str(AUTHENTICATE),
                    client_secret=intent.client_secret,
                )
            # Nobody there to authenticate (autopay): the payment is not taken.
            with contextlib.suppress(stripe.StripeError):
                self.client.v1.payment_intents.cancel(intent.id)
            return ChargeResult(
                Outcome.DECLINED, intent.id, str(DECLINE_MESSAGES["authentication_required"])
            )
        if status == "canceled":
            return ChargeResult(Outcome.DECLINED, intent.id, str(NOT_CONFIRMED))
        error = intent.to_dict().get("last_payment_error") or {}
        code = (error.get("decline_code") or error.get("code") or "") if error else ""
        outcome = Outcome.INSUFFICIENT_FUNDS if code == "insufficient_funds" else Outcome.DECLINED
        return ChargeResult(outcome, intent.id, str(DECLINE_MESSAGES.get(code) or DECLINED))

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        try:
            # A retry after no answer: the refund Stripe already made for this key, if any.
            made = self.client.v1.refunds.list({"payment_intent": charge_reference, "limit": 100})
            refund = next(
                (
                    r
                    for r in made.data
                    if _metadata(r).get("springboard_key") == idempotency_key and ours(_metadata(r))
                ),
                None,
            ) or self.client.v1.refunds.create(
                {
                    "payment_intent": charge_reference,
                    "amount": minor_units(amount),
                    "metadata": tagged({"springboard_key": idempotency_key}),
                },
                {"idempotency_key": idempotency_header(idempotency_key)},
            )
        except (stripe.InvalidRequestError, stripe.CardError) as error:
            return RefundResult(False, "", getattr(error, "user_message", None) or str(error)[:150])
        except stripe.StripeError:
            # No answer: the refund stays reserved, awaiting the processor; the same key
            # completes it later (billing.services.refund).
            raise GatewayUnavailable(str(UNAVAILABLE)) from None
        status = getattr(refund, "status", "succeeded")
        if status in {"failed", "canceled"}:
            return RefundResult(False, refund.id, _("The processor refused the refund."))
        return RefundResult(True, refund.id, "")

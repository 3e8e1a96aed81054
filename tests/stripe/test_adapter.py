"""The Stripe adapter against localstripe: payments, declines, idempotency, saved cards
charged off-session (autopay), refunds."""

from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import LedgerError, PaymentDeclined
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Outcome
from springboard.billing.gateways.stripe.gateway import StripeGateway
from springboard.billing.models import Payment, PaymentStatus
from springboard.billing.payment_methods import save_payment_method
from tests.billing.factories import charge
from tests.stripe_server import DECLINED, INSUFFICIENT_FUNDS, NEEDS_AUTHENTICATION, VISA

pytestmark = pytest.mark.django_db


def test_an_organization_connected_to_stripe_gets_the_stripe_adapter(stripe_org, other_org):
    assert isinstance(get_gateway(stripe_org), StripeGateway)
    assert get_gateway(other_org).name == "sandbox"


def test_a_card_payment_is_taken_once_per_key(stripe_org, family, stripe_settings):
    fam, _student = family
    token = stripe_settings.card(VISA)
    now = timezone.now()
    payment = services.record_payment(
        organization=stripe_org,
        family=fam,
        amount=Decimal("42.50"),
        token=token,
        idempotency_key="pay-1",
        now=now,
    )
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.gateway == "stripe" and payment.gateway_reference.startswith("pi_")
    assert (payment.brand, payment.last4) == ("Visa", "4242")
    intent = stripe_settings.client().v1.payment_intents.retrieve(payment.gateway_reference)
    assert (intent.amount, intent.currency, intent.status) == (4250, "usd", "succeeded")
    again = services.record_payment(
        organization=stripe_org,
        family=fam,
        amount=Decimal("42.50"),
        token=token,
        idempotency_key="pay-1",
        now=now,
    )
    assert again.pk == payment.pk
    # Even without our ledger row, the adapter's key finds the first intent: one charge.
    gateway = get_gateway(stripe_org)
    first = gateway.charge(
        token=token,
        amount=Decimal("42.50"),
        currency="USD",
        idempotency_key="payment:pay-1",
        description="",
    )
    assert first.reference == payment.gateway_reference


@pytest.mark.parametrize(
    ("number", "status", "words"),
    [
        (DECLINED, PaymentStatus.DECLINED, "declined"),
        (INSUFFICIENT_FUNDS, PaymentStatus.INSUFFICIENT_FUNDS, "insufficient funds"),
    ],
)
def test_a_declined_card_is_recorded_as_declined_with_a_readable_message(
    stripe_org, family, stripe_settings, number, status, words
):
    if number == INSUFFICIENT_FUNDS and stripe_settings.local:
        pytest.skip("localstripe has no insufficient-funds card (Stripe's test mode has)")
    fam, _student = family
    with pytest.raises(PaymentDeclined) as raised:
        services.record_payment(
            organization=stripe_org,
            family=fam,
            amount=Decimal("10.00"),
            token=stripe_settings.card(number),
            idempotency_key="pay-2",
            now=timezone.now(),
        )
    assert words in raised.value.message
    assert Payment.objects.get().status == status
    assert balances.credit(fam) == 0


def test_a_processor_that_does_not_answer_records_nothing(stripe_org, family, settings):
    fam, _student = family
    token = "pm_card_visa"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(LedgerError):
        services.record_payment(
            organization=stripe_org,
            family=fam,
            amount=Decimal("10.00"),
            token=token,
            idempotency_key="pay-3",
            now=timezone.now(),
        )
    assert not Payment.objects.exists()


def test_a_saved_card_is_charged_off_session_for_autopay(stripe_org, family, stripe_settings):
    fam, _student = family
    saved = save_payment_method(
        organization=stripe_org, family=fam, token=stripe_settings.card(VISA), autopay=True
    )
    assert (saved.gateway, saved.brand, saved.last4) == ("stripe", "Visa", "4242")
    client = stripe_settings.client()
    method = client.v1.payment_methods.retrieve(saved.token)
    assert method.customer and method.customer.startswith("cus_")
    # The autopay run: only Gateway.charge with the saved token, nobody at the page.
    result = get_gateway(stripe_org).charge(
        token=saved.token,
        amount=Decimal("75.00"),
        currency="USD",
        idempotency_key="autopay:1",
        description="January tuition",
    )
    assert result.outcome == Outcome.APPROVED
    intent = client.v1.payment_intents.retrieve(result.reference)
    assert (intent.customer, intent.status, intent.amount) == (method.customer, "succeeded", 7500)


def test_a_refund_goes_back_to_the_card(stripe_org, family, stripe_settings):
    fam, _student = family
    payment = services.record_payment(
        organization=stripe_org,
        family=fam,
        amount=Decimal("30.00"),
        token=stripe_settings.card(VISA),
        idempotency_key="pay-4",
        now=timezone.now(),
    )
    refund = services.refund(
        organization=stripe_org,
        payment=payment,
        amount=Decimal("12.00"),
        reason="Class moved",
        idempotency_key="refund-1",
        now=timezone.now(),
        actor=None,
    )
    assert refund.outcome.succeeded and refund.outcome.gateway_reference.startswith("re_")
    refunds = stripe_settings.client().v1.refunds.list(
        {"payment_intent": payment.gateway_reference}
    )
    assert [r.amount for r in refunds.data] == [1200]
    assert balances.credit(fam) == Decimal("18.00")


def test_a_token_of_no_card_is_refused(stripe_org, family):
    fam, _student = family
    charge(fam)
    with pytest.raises(LedgerError):
        services.record_payment(
            organization=stripe_org,
            family=fam,
            amount=Decimal("10.00"),
            token="pm_doesnotexist",
            idempotency_key="pay-5",
            now=timezone.now(),
        )
    assert not Payment.objects.exists()


def test_a_payment_the_bank_still_wants_to_confirm_is_not_taken(
    stripe_org, family, stripe_settings
):
    fam, _student = family
    with pytest.raises(PaymentDeclined) as raised:
        services.record_payment(
            organization=stripe_org,
            family=fam,
            amount=Decimal("10.00"),
            token=stripe_settings.card(NEEDS_AUTHENTICATION),
            idempotency_key="pay-3ds",
            now=timezone.now(),
        )
    assert "confirm this payment" in raised.value.message
    intent = stripe_settings.client().v1.payment_intents.retrieve(
        Payment.objects.get().gateway_reference
    )
    assert intent.status == "canceled"  # nothing left half-taken at Stripe
    assert balances.credit(fam) == 0

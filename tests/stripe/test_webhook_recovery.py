"""Stripe's webhook records a payment whose browser never came back: a family paying a
balance on the Payments page closed the window after its bank's check (Stripe took the
money), or an order's payment could not confirm the order. Recorded once, under the same
key as the browser's path, so a replay, an out-of-order event or the browser coming back
later changes nothing twice; nothing taken at Stripe is ever left unrecorded."""

import json
import re
import time
from decimal import Decimal
from html import unescape

import pytest
import stripe
from django.core import mail

from springboard.billing import balances
from springboard.billing import services as ledger
from springboard.billing.models import Payment, PaymentStatus
from springboard.checkout.models import OrderStatus
from springboard.portal.views.payments import NONCES_KEY
from tests.billing import factories as billing
from tests.checkout.helpers import cart_with_two_students, start
from tests.stripe_server import NEEDS_AUTHENTICATION, WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
URL = "/gateways/stripe/acme/webhook/"
SECRET = re.compile(r'data-client-secret="([^"]+)"')


def _post(client, event: dict):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, WEBHOOK_SECRET, timestamp=int(time.time())
    )
    return client.post(
        URL, payload, content_type="application/json", headers={"stripe-signature": header}
    )


def _emitted(server, kind: str, intent_id: str) -> dict:
    for event in server.client().v1.events.list({"type": kind, "limit": 100}).data:
        if event.data.object.id == intent_id:
            return event.to_dict()
    raise AssertionError(f"no {kind} for {intent_id}")


def _paid_at_stripe_then_gone(client, server, charges) -> tuple[dict, str]:
    """The family pays the charges on the Payments page, its bank asks to authenticate, the
    family does, and closes the window: Stripe has the money, we have recorded nothing."""
    client.get("/acme/account/payments/?with=card")
    data = {
        "nonce": client.session[NONCES_KEY][-1],
        "charge": [c.pk for c in charges],
        "payment_token": server.card(NEEDS_AUTHENTICATION),
    }
    asked = client.post("/acme/account/payments/pay/", data)
    assert asked.status_code == 402
    secret = unescape(SECRET.search(asked.content.decode())[1])
    server.authenticate(secret)
    assert not Payment.objects.exists()
    return data, secret.partition("_secret_")[0]


@pytest.mark.parametrize("installation", ["", "staging"])
def test_the_webhook_records_a_balance_payment_whose_browser_closed(
    logged_in,
    stripe_org,
    family,
    stripe_settings,
    django_capture_on_commit_callbacks,
    settings,
    installation,
):
    settings.STRIPE_INSTALLATION = installation or stripe_settings.installation
    fam, _student = family
    charges = [billing.charge(fam, "40.00"), billing.charge(fam, "15.00")]
    data, intent_id = _paid_at_stripe_then_gone(logged_in, stripe_settings, charges)
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(logged_in, event)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "payment recorded"
    payment = Payment.objects.get()
    assert (payment.status, payment.amount) == (PaymentStatus.SUCCEEDED, Decimal("55.00"))
    assert payment.gateway_reference == intent_id
    assert balances.balance(fam) == 0 and balances.credit(fam) == 0
    assert len(mail.outbox) == 1  # the family's receipt

    # A replay, the same news under a new id, a late failure event: nothing twice.
    assert _post(logged_in, event).json()["outcome"] == "replayed: nothing changed"
    assert _post(logged_in, {**event, "id": event["id"] + "x"}).json()["outcome"] == (
        "already recorded"
    )
    failed = {**event, "id": "evt_late_failure", "type": "payment_intent.payment_failed"}
    assert _post(logged_in, failed).status_code == 200
    # The browser comes back after all (the same form): the webhook's payment is its answer.
    with django_capture_on_commit_callbacks(execute=True):
        back = logged_in.post("/acme/account/payments/pay/", data)
    assert back.status_code == 302
    assert Payment.objects.count() == 1 and balances.balance(fam) == 0
    assert len(mail.outbox) == 1


def test_the_browser_first_then_the_webhook_records_once(
    logged_in, stripe_org, family, stripe_settings
):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    data, intent_id = _paid_at_stripe_then_gone(logged_in, stripe_settings, [charge])
    assert logged_in.post("/acme/account/payments/pay/", data).status_code == 302
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    assert _post(logged_in, event).json()["outcome"] == "already recorded"
    assert Payment.objects.count() == 1 and balances.balance(fam) == 0


def test_charges_settled_meanwhile_leave_the_webhooks_payment_as_credit(
    logged_in, stripe_org, family, stripe_settings
):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    _data, intent_id = _paid_at_stripe_then_gone(logged_in, stripe_settings, [charge])
    ledger.void_charge(
        organization=stripe_org,
        charge=charge,
        reason="Class cancelled",
        now=charge.created_at,
        actor=None,
    )
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    assert _post(logged_in, event).json()["outcome"] == "payment recorded"
    assert balances.credit(fam) == Decimal("40.00")  # taken at Stripe, so kept: not lost


def test_an_order_that_can_no_longer_be_confirmed_keeps_the_webhooks_money_as_credit(
    logged_in, stripe_org, family, stripe_settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = {
        "order": order.pk,
        "attempt": order.attempt,
        "method": "card",
        "payment_token": stripe_settings.card(NEEDS_AUTHENTICATION),
    }
    asked = logged_in.post("/acme/cart/checkout/", data)
    stripe_settings.authenticate(unescape(SECRET.search(asked.content.decode())[1]))
    # Meanwhile the family cancelled the order in another tab (its places were released).
    assert logged_in.post("/acme/cart/checkout/cancel/", {"order": order.pk}).status_code == 302
    intent_id = unescape(SECRET.search(asked.content.decode())[1]).partition("_secret_")[0]
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    outcome = _post(logged_in, event).json()["outcome"]
    assert outcome.startswith("not confirmed") and "kept as credit" in outcome
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert balances.credit(family[0]) == order.due_now
    assert _post(logged_in, {**event, "id": event["id"] + "x"}).status_code == 200
    assert Payment.objects.count() == 1


def test_another_installations_payment_on_the_same_account_is_ignored(
    logged_in, stripe_org, family, stripe_settings, settings
):
    """A staging site sharing the Stripe account sends its own order-1-attempt-1: not ours."""
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    _data, intent_id = _paid_at_stripe_then_gone(logged_in, stripe_settings, [charge])
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    settings.STRIPE_INSTALLATION = "production-eu"  # this one is named; the payment was not
    assert _post(logged_in, event).json()["outcome"] == "another installation's payment"
    assert not Payment.objects.exists()

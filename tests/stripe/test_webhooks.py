"""Stripe's webhooks: signature checked with the organization's secret, each event applied
once (replays and out-of-order events change nothing twice), and an order whose browser
went away after paying confirmed by payment_intent.succeeded.

The payment_intent events are the ones localstripe itself emitted; localstripe emits no
charge.refunded or charge.dispute.created, so those events wrap the real charge and refund
objects fetched from it (the dispute object is built here, in Stripe's documented shape)."""

import json
import time
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing import services as ledger
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.stripe.models import StripeDispute, StripeEvent, StripeIntent
from springboard.billing.models import Payment, Refund, RefundOutcome
from springboard.booking.models import Enrollment
from springboard.checkout.models import OrderStatus
from tests.checkout.helpers import cart_with_two_students, start
from tests.stripe_server import VISA, WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
URL = "/gateways/stripe/acme/webhook/"


def _post(client, event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return client.post(
        URL, payload, content_type="application/json", headers={"stripe-signature": header}
    )


def _emitted(server, kind: str, object_id: str) -> dict:
    """The event localstripe emitted for that object (as Stripe would have sent it)."""
    for event in server.client().v1.events.list({"type": kind, "limit": 100}).data:
        if event.data.object.id == object_id:
            return event.to_dict()
    raise AssertionError(f"localstripe emitted no {kind} for {object_id}")


def _paid_but_browser_gone(org, order, server):
    """The family paid at Stripe for the order; our request died before it recorded anything
    (not even the adapter's note of the intent)."""
    key = "payment:" + order.idempotency_key()
    result = get_gateway(org).charge(
        token=server.card(VISA),
        amount=order.due_now,
        currency="USD",
        idempotency_key=key,
        description=str(order),
    )
    assert result.succeeded
    StripeIntent.objects.filter(idempotency_key=key).delete()
    return result.reference


def test_the_webhook_confirms_an_order_whose_browser_went_away_after_paying(
    logged_in, stripe_org, family, stripe_settings, django_capture_on_commit_callbacks
):
    course, _students = cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    intent_id = _paid_but_browser_gone(stripe_org, order, stripe_settings)
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(logged_in, event)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "order confirmed"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    payment = Payment.objects.get()
    assert payment.gateway_reference == intent_id and payment.amount == order.due_now
    assert balances.balance(family[0]) == order.due_later
    assert len(mail.outbox) == 1  # the receipt
    # Stripe holds one payment for it: nothing was charged again.
    intents = stripe_settings.intents_for("payment:" + order.idempotency_key())
    assert [i.id for i in intents] == [intent_id]

    # A replay of the same event, and the same news under a new id: nothing changes twice.
    assert _post(logged_in, event).json()["outcome"] == "replayed: nothing changed"
    again = {**event, "id": event["id"] + "x"}
    assert _post(logged_in, again).status_code == 200
    assert Payment.objects.count() == 1
    assert Enrollment.objects.count() == 2
    assert len(mail.outbox) == 1


def test_a_bad_signature_is_refused_and_changes_nothing(
    logged_in, stripe_org, family, stripe_settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    intent_id = _paid_but_browser_gone(stripe_org, order, stripe_settings)
    event = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    assert _post(logged_in, event, secret="whsec_someone_else").status_code == 400
    assert _post(logged_in, event, timestamp=int(time.time()) - 3600).status_code == 400
    unsigned = logged_in.post(URL, json.dumps(event), content_type="application/json")
    assert unsigned.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not Payment.objects.exists() and not StripeEvent.objects.exists()


def test_an_unknown_event_type_is_answered_and_ignored(client, stripe_org):
    response = _post(client, {"id": "evt_1", "type": "customer.created", "data": {"object": {}}})
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert not StripeEvent.objects.exists()


def test_an_organization_without_stripe_takes_no_webhooks(client, org):
    response = _post(client, {"id": "evt_1", "type": "charge.refunded"})
    assert response.status_code == 400


def test_a_late_failure_event_after_the_success_changes_nothing(
    logged_in, stripe_org, family, stripe_settings, django_capture_on_commit_callbacks
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    intent_id = _paid_but_browser_gone(stripe_org, order, stripe_settings)
    succeeded = _emitted(stripe_settings, "payment_intent.succeeded", intent_id)
    failed = {
        **succeeded,
        "id": "evt_earlier_failure",
        "type": "payment_intent.payment_failed",
        "created": succeeded["created"] - 60,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(logged_in, succeeded).status_code == 200
        assert _post(logged_in, failed).status_code == 200  # arrives last, happened first
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.get().succeeded


def test_charge_refunded_completes_a_refund_that_was_awaiting_stripe(
    client, stripe_org, family, stripe_settings
):
    fam, _student = family
    now = timezone.now()
    payment = ledger.record_payment(
        organization=stripe_org,
        family=fam,
        amount=Decimal("30.00"),
        token=stripe_settings.card(VISA),
        idempotency_key="pay-1",
        now=now,
    )
    # Staff refunded 10.00; Stripe did it, but its answer never reached us.
    gateway = get_gateway(stripe_org)
    gateway.refund(
        charge_reference=payment.gateway_reference,
        amount=Decimal("10.00"),
        currency="USD",
        idempotency_key="refund:refund-1",
    )
    Refund.objects.create(
        organization=stripe_org,
        payment=payment,
        amount=Decimal("10.00"),
        reason="Moved",
        idempotency_key="refund-1",
        created_at=now,
    )
    assert not RefundOutcome.objects.exists()
    client_ = stripe_settings.client()
    intent = client_.v1.payment_intents.retrieve(payment.gateway_reference)
    latest = intent.latest_charge  # localstripe expands it; Stripe sends its id
    charge = client_.v1.charges.retrieve(getattr(latest, "id", latest)).to_dict()
    charge["refunds"] = client_.v1.refunds.list(
        {"payment_intent": payment.gateway_reference}
    ).to_dict()
    event = {"id": "evt_refunded_1", "type": "charge.refunded", "data": {"object": charge}}
    assert _post(client, event).json()["outcome"] == "1 refund(s) completed"
    outcome = RefundOutcome.objects.get()
    assert outcome.succeeded and outcome.gateway_reference.startswith("re_")
    # One refund at Stripe (the retry found the first), and a replay changes nothing.
    assert len(client_.v1.refunds.list({"payment_intent": payment.gateway_reference}).data) == 1
    assert _post(client, event).json()["outcome"] == "replayed: nothing changed"
    assert _post(client, {**event, "id": "evt_refunded_2"}).json()["outcome"] == (
        "0 refund(s) completed"
    )
    assert balances.credit(fam) == Decimal("20.00")


def test_a_dispute_is_recorded_once_next_to_its_payment(
    client, stripe_org, family, stripe_settings
):
    fam, _student = family
    payment = ledger.record_payment(
        organization=stripe_org,
        family=fam,
        amount=Decimal("30.00"),
        token=stripe_settings.card(VISA),
        idempotency_key="pay-1",
        now=timezone.now(),
    )
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": 3000,
        "payment_intent": payment.gateway_reference,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    event = {"id": "evt_dispute_1", "type": "charge.dispute.created", "data": {"object": dispute}}
    assert _post(client, event).json()["outcome"] == "dispute recorded"
    assert _post(client, {**event, "id": "evt_dispute_2"}).json()["outcome"] == (
        "dispute already recorded"
    )
    row = StripeDispute.objects.get()
    assert (row.payment, row.amount_minor, row.reason) == (payment, 3000, "fraudulent")


def test_bad_json_with_a_good_signature_is_refused(client, stripe_org):
    payload = "not json"
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    response = client.post(
        URL, payload, content_type="application/json", headers={"stripe-signature": header}
    )
    assert response.status_code == 400


def test_another_organizations_secret_does_not_sign_for_this_one(
    client, stripe_org, other_org, stripe_settings
):
    from springboard.billing.gateways.stripe.models import GatewaySettings

    rival = GatewaySettings(organization=other_org, gateway="stripe", publishable_key="pk_r")
    rival.set_secrets(secret_key="sk_test_rival", webhook_secret="whsec_rival_only")
    rival.save()
    event = {"id": "evt_x", "type": "charge.dispute.created", "data": {"object": {"id": "dp_1"}}}
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_rival_only")
    response = client.post(
        URL, payload, content_type="application/json", headers={"stripe-signature": header}
    )
    assert response.status_code == 400  # signed for rival, posted to acme
    assert (
        client.post(
            "/gateways/stripe/nobody/webhook/", payload, content_type="application/json"
        ).status_code
        == 404
    )
    assert not StripeDispute.objects.exists()

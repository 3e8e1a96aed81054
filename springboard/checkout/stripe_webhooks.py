"""Stripe's webhooks: `/gateways/stripe/<account>/webhook/` (docs/billing.md, "Stripe").

The signature is checked with the organization's own signing secret (a bad one: 400, nothing
changed). Each handled event's id is stored (`StripeEvent`), so a replay changes nothing
twice; the handlers are idempotent anyway, so events out of order or delivered twice with
new ids also leave one result:
- `payment_intent.succeeded` for an order's payment confirms the order through checkout's own
  `pay` (the family's browser went away after paying): the same key finds the same intent,
  so nothing is charged again, and a confirmed order stays as it is;
- `payment_intent.payment_failed`: the pay request already told the family; nothing changes;
- `charge.refunded`: a refund of ours still awaiting Stripe's answer is completed;
- `charge.dispute.created`: the dispute is recorded next to the payment (`StripeDispute`).
Other event types are answered 200 and ignored. Lives in checkout because confirming an
order is checkout's service (billing may not import it)."""

import json
import logging
import re
from datetime import datetime
from decimal import Decimal

import stripe
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from springboard.billing import services as ledger
from springboard.billing.errors import LedgerError
from springboard.billing.gateways.stripe.models import (
    GatewayKind,
    GatewaySettings,
    StripeDispute,
    StripeEvent,
    StripeIntent,
)
from springboard.billing.models import Payment, Refund, RefundOutcome
from springboard.booking.locking import BookingBusy
from springboard.checkout import services
from springboard.checkout.errors import CheckoutError
from springboard.checkout.models import Order, OrderStatus
from springboard.core.money import money

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300
ORDER_KEY = re.compile(r"^payment:order-(?P<order>\d+)-attempt-(?P<attempt>\d+)$")
HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
}


class Retry(Exception):
    """Not handled now (e.g. the order is busy): answered 503 so Stripe sends it again."""


def _verified(payload: bytes, header: str, secret: str, now: datetime) -> bool:
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
        timestamp, _signatures = stripe.WebhookSignature._get_timestamp_and_signatures(header, "v1")
    except (stripe.SignatureVerificationError, ValueError, IndexError):
        return False
    # The request's clock, not the library's: signatures older than five minutes are replays.
    return abs(now.timestamp() - timestamp) <= TOLERANCE_SECONDS


def _payment_succeeded(organization, intent: dict, now: datetime) -> str:
    key = (intent.get("metadata") or {}).get("springboard_key", "")
    ledger_key = key.removeprefix("payment:")
    if Payment.objects.filter(organization=organization, idempotency_key=ledger_key).exists():
        found = Order.objects.filter(organization=organization, payment__idempotency_key=ledger_key)
        if found.filter(status=OrderStatus.CONFIRMED).exists() or not ORDER_KEY.match(key):
            return "already recorded"
    match = ORDER_KEY.match(key)
    if not match:
        return "not an order's payment: recorded by the request that took it"
    order = Order.objects.filter(organization=organization, pk=int(match["order"])).first()
    if order is None:
        return "no such order"
    if order.status == OrderStatus.CONFIRMED:
        return "order already confirmed"
    attempt = int(match["attempt"])
    # The intent our adapter created for this key (the request may have died before it
    # noted it): the checkout's own pay then finds it instead of charging again.
    StripeIntent.objects.get_or_create(
        organization=organization,
        idempotency_key=key,
        defaults={
            "intent_id": intent["id"],
            "payment_method": intent.get("payment_method") or "",
            "amount_minor": int(intent.get("amount") or 0),
        },
    )
    credit = order.due_now - money(Decimal(int(intent.get("amount") or 0)) / 100)
    request = services.PayRequest(
        attempt=attempt,
        credit=max(credit, 0),
        token=intent.get("payment_method") or "",
        # pay() refused to charge before they were ticked, so the family agreed to them.
        agreed=frozenset(p.pk for p in services.transaction_policies(order)),
    )
    try:
        services.pay(order=order, request=request, user=None, now=now)
    except BookingBusy:
        raise Retry from None
    except (CheckoutError, LedgerError) as error:
        return f"not confirmed: {error.message}"[:200]
    return "order confirmed"


def _charge_refunded(organization, charge: dict, now: datetime) -> str:
    done = 0
    for made in (charge.get("refunds") or {}).get("data") or []:
        key = (made.get("metadata") or {}).get("springboard_key", "")
        row = Refund.objects.filter(
            organization=organization, idempotency_key=key.removeprefix("refund:")
        ).first()
        if row is None or RefundOutcome.objects.filter(refund=row).exists():
            continue
        try:
            ledger.refund(
                organization=organization,
                payment=row.payment,
                amount=row.amount,
                reason=row.reason,
                idempotency_key=row.idempotency_key,
                now=now,
                actor=None,
            )
            done += 1
        except LedgerError:
            continue
    return f"{done} refund(s) completed"


def _dispute_created(organization, dispute: dict, now: datetime) -> str:
    intent_id = dispute.get("payment_intent") or ""
    payment = (
        Payment.objects.filter(organization=organization, gateway_reference=intent_id).first()
        if intent_id
        else None
    )
    _row, created = StripeDispute.objects.get_or_create(
        organization=organization,
        dispute_id=dispute["id"],
        defaults={
            "payment": payment,
            "intent_id": intent_id,
            "amount_minor": int(dispute.get("amount") or 0),
            "reason": (dispute.get("reason") or "")[:100],
            "created_at": now,
        },
    )
    return "dispute recorded" if created else "dispute already recorded"


HANDLERS = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": lambda organization, intent, now: "failure noted",
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}


def handle_event(*, organization, event: dict, now: datetime) -> str:
    """Apply one verified event once; returns what was done (for the response and tests)."""
    event_id = str(event.get("id") or "")
    kind = str(event.get("type") or "")
    data = (event.get("data") or {}).get("object") or {}
    if kind not in HANDLERS or not event_id or not isinstance(data, dict):
        return "ignored"
    if StripeEvent.objects.filter(organization=organization, event_id=event_id).exists():
        return "replayed: nothing changed"
    outcome = HANDLERS[kind](organization, data, now)
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                organization=organization,
                event_id=event_id,
                type=kind,
                object_id=str(data.get("id") or "")[:100],
                outcome=outcome[:200],
                received_at=now,
            )
    except IntegrityError:
        return "replayed: nothing changed"  # a concurrent delivery of the same event
    return outcome


@csrf_exempt  # Stripe signs the request instead; it has no cookie of ours
@never_cache
@require_POST
def webhook(request):
    organization = request.organization
    config = GatewaySettings.objects.filter(
        organization=organization, gateway=GatewayKind.STRIPE
    ).first()
    secret = config.webhook_secret if config else ""
    if not secret:
        return HttpResponseBadRequest("This organization takes no Stripe webhooks.")
    payload = request.body
    header = request.headers.get("Stripe-Signature", "")
    if not _verified(payload, header, secret, request.now):
        return HttpResponseBadRequest("Bad signature.")
    try:
        event = json.loads(payload)
    except ValueError:
        return HttpResponseBadRequest("Not JSON.")
    if not isinstance(event, dict):
        return HttpResponseBadRequest("Not an event.")
    try:
        outcome = handle_event(organization=organization, event=event, now=request.now)
    except Retry:
        response = HttpResponse("Busy; send it again.", status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"received": True, "outcome": outcome})

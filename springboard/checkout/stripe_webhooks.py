"""Stripe's webhooks: `/gateways/stripe/<account>/webhook/` (docs/billing.md, "Stripe").

The signature is checked with the organization's own signing secret (a bad one: 400, nothing
changed). Each handled event's id is stored (`StripeEvent`), so a replay changes nothing
twice; the handlers are idempotent anyway, so events out of order or delivered twice with
new ids also leave one result:
- `payment_intent.succeeded` for an order's payment confirms the order through checkout's own
  `pay` (the family's browser went away after paying): the same key finds the same intent,
  so nothing is charged again, and a confirmed order stays as it is; an order that can no
  longer be confirmed keeps the money as credit (recorded under the same key). For a
  Payments-page payment it records the payment with the page's key and applies it to the
  charges that form claimed (billing.paying.record_taken_elsewhere), with a receipt;
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

from springboard.billing import paying, receipts
from springboard.billing import services as ledger
from springboard.billing.errors import LedgerError
from springboard.billing.gateways.stripe.gateway import ours
from springboard.billing.gateways.stripe.models import (
    GatewayKind,
    GatewaySettings,
    StripeDispute,
    StripeEvent,
    StripeIntent,
)
from springboard.billing.models import Payment, PaymentStatus, Refund, RefundOutcome
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


def _noted_intent(organization, key: str, intent: dict) -> StripeIntent:
    """The intent our adapter created for this key (the request may have died before it
    noted it): the same key then finds it instead of charging again."""
    method = intent.get("payment_method") or ""
    row, _created = StripeIntent.objects.get_or_create(
        organization=organization,
        idempotency_key=key,
        defaults={
            "intent_id": intent["id"],
            "payment_method": method if isinstance(method, str) else method.get("id", ""),
            "amount_minor": int(intent.get("amount") or 0),
        },
    )
    return row


def _payment_succeeded(organization, intent: dict, now: datetime) -> str:
    key = (intent.get("metadata") or {}).get("springboard_key", "")
    ledger_key = key.removeprefix("payment:")
    if not key.startswith("payment:") or not intent.get("id"):
        return "not a payment of ours"
    if not ours(intent.get("metadata")):
        return "another installation's payment"  # one Stripe account, several databases
    recorded = Payment.objects.filter(
        organization=organization, idempotency_key=ledger_key, status=PaymentStatus.SUCCEEDED
    ).exists()
    match = ORDER_KEY.match(key)
    if match:
        return _order_paid(organization, intent, key, match, recorded, now)
    if paying.PAY_KEY.match(ledger_key):
        if recorded:
            return "already recorded"
        return _charges_paid(organization, intent, key, now)
    # Autopay's own run completes an attempt left pending with the same key (billing/autopay).
    return "not an order's payment: recorded by the request that took it"


def _charges_paid(organization, intent: dict, key: str, now: datetime) -> str:
    """A Payments-page payment whose browser went away after Stripe took it."""
    row = _noted_intent(organization, key, intent)
    try:
        paid = paying.record_taken_elsewhere(
            organization=organization,
            key=key.removeprefix("payment:"),
            amount=money(Decimal(row.amount_minor) / 100),
            token=row.payment_method,
            now=now,
        )
    except LedgerError as error:
        raise Retry from error  # e.g. Stripe did not answer our retrieve: send it again
    if paid is None:
        return "no such family"
    if paid.replayed:
        return "already recorded"
    receipts.send_payment_receipt(organization, paid.payment.family, paid.payment, paid.charges)
    return "payment recorded"


def _order_paid(organization, intent: dict, key: str, match, recorded: bool, now) -> str:
    order = Order.objects.filter(organization=organization, pk=int(match["order"])).first()
    if order is None:
        return "no such order"
    if order.status == OrderStatus.CONFIRMED:
        return "order already confirmed"
    if recorded and order.attempt > int(match["attempt"]):
        return "already recorded"  # kept as credit when the order could not be booked
    row = _noted_intent(organization, key, intent)
    credit = order.due_now - money(Decimal(row.amount_minor) / 100)
    request = services.PayRequest(
        attempt=int(match["attempt"]),
        credit=max(credit, 0),
        token=row.payment_method,
        # pay() refused to charge before they were ticked, so the family agreed to them.
        agreed=frozenset(p.pk for p in services.transaction_policies(order)),
        family_present=False,
    )
    try:
        services.pay(order=order, request=request, user=None, now=now)
    except BookingBusy:
        raise Retry from None
    except (CheckoutError, LedgerError) as error:
        return _kept(organization, order, key, row, f"not confirmed: {error.message}", now)
    return "order confirmed"


def _kept(organization, order, key: str, row: StripeIntent, outcome: str, now) -> str:
    """Stripe took the money but the order cannot take it: it is recorded (the same key, so
    once) and stays on the family's account as credit; nothing is lost."""
    ledger_key = key.removeprefix("payment:")
    if Payment.objects.filter(organization=organization, idempotency_key=ledger_key).exists():
        return outcome[:200]
    try:
        ledger.record_payment(
            organization=organization,
            family=order.family,
            amount=money(Decimal(row.amount_minor) / 100),
            token=row.payment_method,
            idempotency_key=ledger_key,
            now=now,
            description=str(order),
        )
    except LedgerError as error:
        raise Retry from error
    return f"{outcome}; the payment is kept as credit"[:200]


def _charge_refunded(organization, charge: dict, now: datetime) -> str:
    done = 0
    for made in (charge.get("refunds") or {}).get("data") or []:
        key = (made.get("metadata") or {}).get("springboard_key", "")
        if not ours(made.get("metadata")):
            continue
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

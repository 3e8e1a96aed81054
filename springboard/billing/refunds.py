"""Refunds (docs/billing.md): unallocated money of a payment returned to its payment method.
Split from billing/services.py, which re-exports `refund`.

The Refund row is posted first under the family's ledger lock (reserving the money, so it is
never refunded and allocated at once); the gateway is called outside any transaction and its
answer is posted after it.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from springboard.billing import balances
from springboard.billing.errors import (
    GatewayUnavailable,
    IdempotencyKeyReused,
    InvalidAmount,
    LedgerError,
    PaymentNotUsable,
    WrongFamily,
    checked_amount,
)
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Gateway
from springboard.billing.locks import lock_family
from springboard.billing.models import Payment, PaymentMethodKind, Refund, RefundOutcome
from springboard.core.money import format_money

__all__ = ["refund"]


def refund(
    *,
    organization,
    payment: Payment,
    amount,
    reason: str,
    idempotency_key: str,
    now: datetime,
    actor,
    gateway: Gateway | None = None,
) -> Refund:
    """Return unallocated money of a payment to its payment method. To refund a paid charge,
    void it first: that frees its allocation into this payment's unallocated money.

    Call it outside any transaction: it works in three steps so that the gateway is never
    called inside one (nor under the ledger lock). 1) Under the lock, a short transaction
    checks the money is unallocated and posts the Refund, which reserves it (it counts from
    then on, so nothing can allocate it meanwhile). 2) The gateway refunds, with a key derived
    from ours. 3) A short transaction posts its answer as a RefundOutcome; a refusal releases
    the money and raises GatewayUnavailable. The same key again returns the refund (or the
    same refusal); a refund whose gateway call never answered is completed by retrying it.
    """
    amount = checked_amount(amount)
    if payment.organization_id != organization.pk:
        raise WrongFamily()
    if not reason.strip():
        raise LedgerError(_("Say why the money is refunded."))
    if not idempotency_key or len(idempotency_key) > 100:
        raise LedgerError(_("This refund form has expired; reload the page and try again."))
    row = _reserve_refund(
        organization=organization,
        payment=payment,
        amount=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        now=now,
        actor=actor,
    )
    if payment.method in (PaymentMethodKind.CREDIT_ADJUSTMENT, PaymentMethodKind.GIFT_CARD):
        return row  # no gateway: the reservation is the refund
    outcome = RefundOutcome.objects.filter(refund=row).first()
    if outcome is None:
        result = (gateway or get_gateway(organization)).refund(
            charge_reference=payment.gateway_reference,
            amount=amount,
            currency=organization.currency,
            idempotency_key=f"refund:{idempotency_key}",
        )
        outcome = _post_refund_outcome(
            organization=organization, row=row, result=result, now=now, actor=actor
        )
    if not outcome.succeeded:
        raise GatewayUnavailable(
            _("The gateway refused this refund (%(message)s); open a new form to try again.")
            % {"message": outcome.message or _("no reason given")}
        )
    return row


def _reserve_refund(
    *, organization, payment, amount, reason, idempotency_key, now, actor
) -> Refund:
    with transaction.atomic():
        lock_family(organization, payment.family)
        existing = Refund.objects.filter(
            organization=organization, idempotency_key=idempotency_key
        ).first()
        if existing:
            if existing.payment_id != payment.pk or existing.amount != amount:
                raise IdempotencyKeyReused()
            return existing
        if not payment.succeeded:
            raise PaymentNotUsable(
                _("That payment did not go through; there is nothing to refund.")
            )
        unallocated = balances.payment_unallocated_amount(payment)
        if amount > unallocated:
            raise InvalidAmount(
                _(
                    "Only %(left)s of this payment is unallocated; void the charges it paid "
                    "before refunding more."
                )
                % {"left": format_money(unallocated, currency=organization.currency)}
            )
        return Refund.objects.create(
            organization=organization,
            payment=payment,
            amount=amount,
            reason=reason.strip()[:200],
            idempotency_key=idempotency_key,
            created_at=now,
            created_by=actor,
        )


def _post_refund_outcome(*, organization, row: Refund, result, now, actor) -> RefundOutcome:
    with transaction.atomic():
        lock_family(organization, row.payment.family)
        existing = RefundOutcome.objects.filter(refund=row).first()
        if existing:  # a concurrent retry of the same key answered first
            return existing
        return RefundOutcome.objects.create(
            organization=organization,
            refund=row,
            succeeded=result.succeeded,
            gateway_reference=result.reference if result.succeeded else "",
            message=(result.message or "")[:200],
            created_at=now,
            created_by=actor,
        )

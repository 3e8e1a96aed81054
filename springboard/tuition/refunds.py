"""Refunding the unused part of a month to the original payment (a family's drop under the
rule "refunded", docs/booking.md "The refund sequence").

A paid charge's money cannot be refunded while it is allocated, and a posted charge is never
edited: so the month's charge is voided (its allocations stop counting: the payment's money
is free again), the part already used is posted anew and allocated from the same payments
(oldest first), and what is left of each payment — never more than the unused part, never
more than that payment allocated to the charge — is refunded through
`billing.services.refund` (reserve under the lock → gateway outside any transaction →
outcome). Every step is keyed by the enrollment and the charge, so running it again (a
second click, a retry after a crash) finds each row and posts nothing twice; a refund whose
gateway call never answered is completed by running it again.
"""

from collections import defaultdict
from contextlib import suppress
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy

from springboard.billing import balances, services
from springboard.billing.errors import AlreadyVoided
from springboard.billing.models import Allocation, Charge, PaymentMethodKind, Refund
from springboard.core.i18n import site_text

ZERO = Decimal("0.00")


def _allocated(charge: Charge, payment_id: int) -> Decimal:
    total = Allocation.objects.filter(charge=charge, payment_id=payment_id).aggregate(
        s=Sum("amount")
    )["s"]
    return total or ZERO


def refund_unused(
    *, organization, enrollment, charge: Charge, unused: Decimal, now: datetime, actor
) -> list[Refund]:
    family = charge.family
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for payment_id, amount in Allocation.objects.filter(charge=charge).values_list(
        "payment_id", "amount"
    ):
        paid[payment_id] += amount
    with suppress(AlreadyVoided):
        services.void_charge(
            organization=organization,
            charge=charge,
            reason=site_text(gettext_lazy("Class dropped: the unused part is refunded")),
            now=now,
            actor=actor,
        )
    used = charge.amount - unused
    kept_from: dict[int, Decimal] = defaultdict(Decimal)
    if used > 0:
        replacement = services.post_charge(
            organization=organization,
            family=family,
            amount=used,
            description=site_text(
                gettext_lazy("%(charge)s, until the drop"), charge=_Described(charge)
            ),
            kind=charge.kind,
            due_date=charge.due_date,
            now=now,
            actor=actor,
            student=charge.student,
            subject=enrollment,
            idempotency_key=f"drop-used-enrollment-{enrollment.pk}-charge-{charge.pk}",
        )
        left = used
        for payment in family.payments.filter(pk__in=list(paid)).order_by("pk"):
            share = min(paid[payment.pk], left)
            missing = share - _allocated(replacement, payment.pk)
            missing = min(missing, balances.payment_unallocated_amount(payment))
            if missing > 0:
                services.allocate(
                    organization=organization,
                    payment=payment,
                    charge=replacement,
                    amount=missing,
                    now=now,
                    actor=actor,
                )
            kept_from[payment.pk] = share
            left -= share
    refunds: list[Refund] = []
    to_refund = unused
    gateway_paid = family.payments.filter(pk__in=list(paid)).exclude(
        method=PaymentMethodKind.CREDIT_ADJUSTMENT  # paid from credit: it stays credit
    )
    for payment in gateway_paid.order_by("pk"):
        key = f"drop-unused-enrollment-{enrollment.pk}-charge-{charge.pk}-payment-{payment.pk}"
        existing = Refund.objects.filter(organization=organization, idempotency_key=key).first()
        if existing is not None:
            amount = existing.amount
        else:
            amount = min(
                paid[payment.pk] - kept_from[payment.pk],
                to_refund,
                balances.payment_unallocated_amount(payment),
            )
        if amount <= 0:
            continue
        refunds.append(
            services.refund(
                organization=organization,
                payment=payment,
                amount=amount,
                reason=site_text(gettext_lazy("Class dropped: the unused part of the month")),
                idempotency_key=key,
                now=now,
                actor=actor,
            )
        )
        to_refund -= amount
    return refunds


def unanswered(*, enrollment=None, family=None, before: datetime | None = None):
    """Drop, transfer and cancellation refunds whose intent is recorded but whose gateway
    answer is not (a crash or a timeout between the two): the money stays reserved until the
    same key is retried. `family`: its camp and party cancellations' refunds."""
    rows = Refund.objects.filter(outcome__isnull=True).filter(
        Q(idempotency_key__startswith="drop-") | Q(idempotency_key__startswith="cancel-")
    )
    if family is not None:
        rows = rows.filter(payment__family=family, idempotency_key__startswith="cancel-")
    if enrollment is not None:
        rows = rows.filter(
            idempotency_key__regex=rf"^drop-(unused|refund)-enrollment-{enrollment.pk}-"
        )
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return rows.select_related("payment", "organization")


def complete(rows, *, now: datetime, actor=None) -> int:
    """Retry each recorded intent with its own key and amount: the gateway answers the
    refund it already made (its key is derived from ours), the outcome is posted once."""
    from springboard.billing.errors import LedgerError

    done = 0
    for row in rows:
        with suppress(LedgerError):
            services.refund(
                organization=row.organization,
                payment=row.payment,
                amount=row.amount,
                reason=row.reason,
                idempotency_key=row.idempotency_key,
                now=now,
                actor=actor,
            )
            done += 1
    return done


class _Described:
    """A charge's words, rendered when site_text asks (inside the main language)."""

    def __init__(self, charge: Charge):
        self.charge = charge

    def __str__(self) -> str:
        return self.charge.render_description()

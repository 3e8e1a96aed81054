"""A family cancels a camp or a party from My Account (docs/booking.md, "Camps and
parties"): the organization's cancellation rule (admin → Rules for changes) decides how much
of what was paid comes back — full up to `cancel_full_days` before the start, the partial
percent up to `cancel_partial_days`, nothing closer; once it has started it cannot be
cancelled online — and where it goes (the original payment through the gateway, or credit).

The booking rows end (`dropped`: availability counts active rows only, so the camp days or
the slot are open again at once); every charge of the booking is voided (a balance not yet
due is not owed any more); what the rule keeps is posted anew as a cancellation fee and
allocated from the payments that paid; the rest is refunded per payment with a key (the
refund sequence of tuition.refunds) or left as credit. Idempotent: a second click finds the
booking cancelled; every ledger row is keyed by the booking.
"""

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.billing import balances, services
from springboard.billing.errors import AlreadyVoided
from springboard.billing.models import Allocation, Charge, ChargeKind, PaymentMethodKind, Refund
from springboard.booking.drops import DropError
from springboard.booking.locking import locked_many
from springboard.booking.models import (
    CancelRefundTo,
    EnrollmentStatus,
    EventRegistration,
    PartyBooking,
    drop_rules,
)
from springboard.catalog.models import EventDay, PartySlot
from springboard.core.i18n import site_text
from springboard.tuition import refunds

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class Cancellation:
    """What cancelling would do: the rows it ends, the charges, what was paid per payment,
    the percent refunded and where."""

    rows: list
    subject: object  # the charges' subject (the first registration row, or the party booking)
    starts_at: datetime
    days_before: int
    percent: int
    to_payment: bool
    charges: list[Charge] = field(default_factory=list)
    paid: dict[int, Decimal] = field(default_factory=dict)

    @property
    def paid_total(self) -> Decimal:
        return sum(self.paid.values(), ZERO)

    @property
    def refund(self) -> Decimal:
        return (self.paid_total * self.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def kept(self) -> Decimal:
        return self.paid_total - self.refund


def camp_rows(registration: EventRegistration) -> list[EventRegistration]:
    """The registrations booked with this one (same student, camp and moment)."""
    return list(
        EventRegistration.objects.filter(
            student=registration.student,
            event_day__event=registration.event_day.event,
            created_at=registration.created_at,
            status=EnrollmentStatus.ACTIVE,
        )
        .select_related("event_day__event__location")
        .order_by("event_day__date", "pk")
    )


def _start(row) -> datetime:
    if isinstance(row, PartyBooking):
        return row.slot.starts_at
    from zoneinfo import ZoneInfo

    day = row.event_day
    return datetime.combine(day.date, day.start_time, tzinfo=ZoneInfo(day.event.location.time_zone))


def quote(booking, *, family, now: datetime) -> Cancellation:
    """For a party booking or a camp registration of the family; raises DropError when it
    may not be cancelled online."""
    if isinstance(booking, PartyBooking):
        if booking.family_id != family.pk:
            raise DropError(_("That is not your family's booking."))
        rows, subject = [booking], booking
    else:
        if booking.student.family_id != family.pk:
            raise DropError(_("That is not your family's booking."))
        rows = camp_rows(booking)
        subject = rows[0] if rows else booking
    if not rows or any(r.status != EnrollmentStatus.ACTIVE for r in rows):
        raise DropError(_("This booking is already cancelled."))
    rules = drop_rules(family.organization)
    if not rules.cancel_online:
        raise DropError(_("To cancel, please contact us; it cannot be done online."))
    starts_at = _start(rows[0])
    if now >= starts_at:
        raise DropError(_("It has started; it cannot be cancelled online any more."))
    days_before = (starts_at.date() - now.astimezone(starts_at.tzinfo).date()).days
    if days_before >= rules.cancel_full_days:
        percent = 100
    elif days_before >= rules.cancel_partial_days:
        percent = rules.cancel_partial_percent
    else:
        percent = 0
    charges = list(
        Charge.objects.filter(
            organization=family.organization,
            subject_type=ContentType.objects.get_for_model(type(subject)),
            subject_id=subject.pk,
            void__isnull=True,
        ).order_by("pk")
    )
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for payment_id, amount in Allocation.objects.filter(charge__in=charges).values_list(
        "payment_id", "amount"
    ):
        paid[payment_id] += amount
    return Cancellation(
        rows=rows,
        subject=subject,
        starts_at=starts_at,
        days_before=days_before,
        percent=percent,
        to_payment=rules.cancel_refund_to == CancelRefundTo.PAYMENT,
        charges=charges,
        paid=dict(paid),
    )


def _end_rows(plan: Cancellation) -> int:
    first = plan.rows[0]
    if isinstance(first, PartyBooking):
        groups = [(PartySlot, [first.slot_id])]
        model = PartyBooking
    else:
        groups = [(EventDay, [r.event_day_id for r in plan.rows])]
        model = EventRegistration
    with locked_many(groups):
        return model.objects.filter(
            pk__in=[r.pk for r in plan.rows], status=EnrollmentStatus.ACTIVE
        ).update(status=EnrollmentStatus.DROPPED)


def cancel(booking, *, family, now: datetime, actor=None) -> tuple[Cancellation | None, bool]:
    """Cancel it under the rule; (None, False) when it was already cancelled (a second
    click). Refunds are called outside any transaction (tuition.refunds' sequence)."""
    try:
        plan = quote(booking, family=family, now=now)
    except DropError:
        booking.refresh_from_db()
        if booking.status == EnrollmentStatus.DROPPED:
            # A second click: finish a refund whose gateway answer was never recorded.
            refunds.complete(refunds.unanswered(family=family), now=now, actor=actor)
            return None, False
        raise
    if not _end_rows(plan):
        return None, False
    organization = family.organization
    key = f"cancel-{type(plan.subject).__name__.lower()}-{plan.subject.pk}"
    for charge in plan.charges:
        with suppress(AlreadyVoided):
            services.void_charge(
                organization=organization,
                charge=charge,
                reason=site_text(gettext_lazy("Cancelled by the family")),
                now=now,
                actor=actor,
            )
    payments = family.payments.filter(pk__in=list(plan.paid)).order_by("pk")
    if plan.kept > 0:
        fee = services.post_charge(
            organization=organization,
            family=family,
            amount=plan.kept,
            description=site_text(
                gettext_lazy("Cancellation: %(percent)s%% of what was paid is kept"),
                percent=100 - plan.percent,
            ),
            kind=ChargeKind.FEE,
            due_date=now.date(),
            now=now,
            actor=actor,
            subject=plan.subject,
            idempotency_key=f"{key}-kept",
        )
        left = plan.kept
        for payment in payments:
            share = min(plan.paid[payment.pk], left, balances.payment_unallocated_amount(payment))
            if share > 0 and not Allocation.objects.filter(charge=fee, payment=payment).exists():
                services.allocate(
                    organization=organization, payment=payment, charge=fee, amount=share, now=now
                )
            left -= share
    if not plan.to_payment or plan.refund <= 0:
        return plan, True  # what was paid and not kept is the family's credit
    to_refund = plan.refund
    for payment in payments.exclude(method=PaymentMethodKind.CREDIT_ADJUSTMENT):
        refund_key = f"{key}-payment-{payment.pk}"
        existing = Refund.objects.filter(organization=organization, idempotency_key=refund_key)
        amount = (
            existing.get().amount
            if existing.exists()
            else min(plan.paid[payment.pk], to_refund, balances.payment_unallocated_amount(payment))
        )
        if amount <= 0:
            continue
        services.refund(
            organization=organization,
            payment=payment,
            amount=amount,
            reason=site_text(gettext_lazy("Cancelled by the family")),
            idempotency_key=refund_key,
            now=now,
            actor=actor,
        )
        to_refund -= amount
    return plan, True


def cancellable(family, *, now: datetime):
    """My Account → Camps and parties: the family's active bookings still ahead (one
    registration per camp booking, the first day's)."""
    registrations = (
        EventRegistration.objects.filter(
            student__family=family,
            status=EnrollmentStatus.ACTIVE,
            event_day__date__gte=(now - timedelta(days=1)).date(),
        )
        .select_related("student", "event_day__event__location")
        .order_by("event_day__date", "pk")
    )
    seen, camps = set(), []
    for row in registrations:
        group = (row.student_id, row.event_day.event_id, row.created_at)
        if group not in seen:
            seen.add(group)
            camps.append(row)
    parties = list(
        PartyBooking.objects.filter(
            family=family, status=EnrollmentStatus.ACTIVE, slot__starts_at__gt=now
        )
        .select_related("slot__location", "package")
        .order_by("slot__starts_at")
    )
    return camps, parties

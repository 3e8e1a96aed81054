"""The money of a drop (docs/booking.md, "Drops"; booking.drops decides when it takes effect).

- A family's drop: charges already posted for months starting on or after the drop's day are
  voided (future charges stop; a paid one's money becomes credit), and the current month's
  unused part — its meetings on or after that day, pro rata of what its charge covered — is
  kept, credited or refunded as the organization's rules say. A term-priced class: the same
  rule with the term's charge and the meetings it paid for (those on or after the day it
  was bought). Idempotent: every ledger row is keyed by the enrollment.
- Staff "drop and refund": the enrollment ends now (the seat frees, the waitlist is offered
  it), every charge of it is voided, and what was paid for it goes back to the original
  payments through `billing.services.refund` (its reserve → gateway outside the transaction
  → outcome sequence; key per enrollment and payment) or stays on the account as credit.
  Never more than was paid for it: per payment, what it allocated to the enrollment's
  charges, capped by what is unallocated.

An enrollment's charges: the run's (subject: the enrollment) and checkout's first one
(subject: the course, for the student, posted when the enrollment was created).
"""

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.billing import balances, services
from springboard.billing.errors import AlreadyVoided
from springboard.billing.models import Allocation, Charge, ChargeKind, PaymentMethodKind, Refund
from springboard.booking import drops
from springboard.booking.models import Enrollment, EnrollmentStatus, UnusedMonth
from springboard.catalog import schedule
from springboard.catalog.models import Course, TuitionPeriod
from springboard.checkout import pricing
from springboard.core.i18n import site_text
from springboard.tuition import refunds
from springboard.tuition.refunds import refund_unused

CENT = Decimal("0.01")


def enrollment_charges(enrollment: Enrollment):
    """Its tuition charges that still count (not voided)."""
    by_run = Q(subject_type=ContentType.objects.get_for_model(Enrollment), subject_id=enrollment.pk)
    at_checkout = Q(
        subject_type=ContentType.objects.get_for_model(Course),
        subject_id=enrollment.course_id,
        student_id=enrollment.student_id,
        created_at__gte=enrollment.created_at - timedelta(minutes=1),
    )
    return Charge.objects.filter(
        by_run | at_checkout, organization_id=enrollment.organization_id, kind=ChargeKind.TUITION
    ).order_by("due_date", "id")


@dataclass
class DropMoney:
    plan: drops.DropPlan
    voided: list[Charge] = field(default_factory=list)  # months after the drop: not owed
    unused: Decimal = Decimal("0.00")  # the current month's part after the drop
    credited: bool = False  # the rules credit `unused`
    refunded: bool = False  # the rules refund `unused` to the original payment
    unused_of: list[tuple[Charge, Decimal]] = field(default_factory=list)  # per charge
    period: str = TuitionPeriod.MONTH  # the unused part is of this month, or of the term

    @property
    def of_term(self) -> bool:
        return self.period != TuitionPeriod.MONTH

    @property
    def voided_total(self) -> Decimal:
        return sum((c.amount for c in self.voided), Decimal("0.00"))


def _month_of(charge: Charge, enrollment: Enrollment, closures) -> tuple[date, date]:
    """(month, first day it covered): a run's charge is due on its month's first day;
    checkout's covers the month of the first meeting after enrolling, from that day."""
    # The run's key (tuition.runs.tuition_key); checkout's first month has the enrollment as
    # its subject too, so the subject alone cannot tell them apart.
    if charge.idempotency_key.startswith(f"tuition-enrollment-{enrollment.pk}-"):
        return charge.due_date.replace(day=1), charge.due_date.replace(day=1)
    zone = schedule.location_zone(enrollment.course)
    enrolled_on = enrollment.created_at.astimezone(zone).date()
    month = pricing.first_month(enrollment.course, closures, today=enrolled_on)
    return month, max(month, enrolled_on)


def _term_covered(charge: Charge, enrollment: Enrollment, closures) -> list[date]:
    """The meetings a term class's charge paid for: checkout prices the term's meetings on
    or after the day it was bought (checkout.pricing.course_lines), so those."""
    zone = schedule.location_zone(enrollment.course)
    bought_on = charge.created_at.astimezone(zone).date()
    return list(schedule.meeting_dates(enrollment.course, closures, on_or_after=bought_on))


def quote(plan: drops.DropPlan) -> DropMoney:
    """What the drop does to money, shown before confirming and applied by `drop`."""
    enrollment = plan.enrollment
    course = enrollment.course
    closures = schedule.closures_for(enrollment.organization, location_ids=[course.location_id])
    money = DropMoney(
        plan=plan,
        credited=plan.rules.unused_month == UnusedMonth.CREDIT,
        refunded=plan.rules.unused_month == UnusedMonth.REFUND,
    )
    money.period = course.tuition_period
    voided_ids = set(Charge.objects.filter(void__isnull=False).values_list("pk", flat=True))
    for charge in enrollment_charges(enrollment).select_related("subject_type"):
        if charge.pk in voided_ids:
            continue
        if course.tuition_period == TuitionPeriod.MONTH:
            try:
                month, covered_from = _month_of(charge, enrollment, closures)
            except pricing.PricingError:
                continue
            if month >= plan.effective_on:
                money.voided.append(charge)
                continue
            in_month = [
                d
                for d in schedule.meeting_dates(course, closures, on_or_after=covered_from)
                if (d.year, d.month) == (month.year, month.month)
            ]
        else:
            in_month = _term_covered(charge, enrollment, closures)
        unused = [d for d in in_month if d >= plan.effective_on]
        if in_month and unused:
            part = (charge.amount * len(unused) / len(in_month)).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            money.unused += part
            money.unused_of.append((charge, part))
    return money


class DropNeedsApproval(drops.DropError):
    """The rules make this drop a request (tuition.changes.ask_to_drop files it)."""


def drop(
    enrollment: Enrollment,
    *,
    family,
    now: datetime,
    actor=None,
    plan: drops.DropPlan | None = None,
    approved: bool = False,
) -> tuple[DropMoney | None, bool]:
    """A family drops a class: booking's drop, then its money (each row keyed, so a second
    click changes nothing: it returns (None, False)). Raises booking.drops.DropError when it
    may not be dropped, DropNeedsApproval when the rules want a request (unless `approved`:
    staff approving it, with the request's `plan`)."""
    current = Enrollment.objects.get(pk=enrollment.pk)
    if current.status == EnrollmentStatus.DROPPED and current.student.family_id == family.pk:
        # A second click: finish a refund whose gateway answer was never recorded.
        refunds.complete(refunds.unanswered(enrollment=current), now=now, actor=actor)
        return None, False
    plan = plan or drops.plan_drop(enrollment, family=family, now=now)
    if plan.needs_approval and not approved:
        raise DropNeedsApproval(_("This drop is a request the staff approve."))
    money = quote(plan)
    enrollment, changed = drops.drop_enrollment(enrollment, family=family, now=now, plan=plan)
    if not changed:
        return money, False
    apply_money(money, family=family, now=now, actor=actor)
    return money, True


def apply_money(money: DropMoney, *, family, now: datetime, actor=None) -> None:
    """Void the months after the drop; credit, refund or keep the unused part (keyed by the
    enrollment: applying it twice changes nothing)."""
    enrollment = money.plan.enrollment
    organization = family.organization
    for charge in money.voided:
        with suppress(AlreadyVoided):
            services.void_charge(
                organization=organization,
                charge=charge,
                reason=site_text(gettext_lazy("Class dropped: it ends before this month.")),
                now=now,
                actor=actor,
            )
    if money.credited and money.unused > 0:
        services.post_credit(
            organization=organization,
            family=family,
            amount=money.unused,
            reason=site_text(gettext_lazy("Class dropped: the rest of the month")),
            now=now,
            actor=actor,
            idempotency_key=f"drop-credit-enrollment-{enrollment.pk}",
        )
    if money.refunded:
        for charge, part in money.unused_of:
            refund_unused(
                organization=organization,
                enrollment=enrollment,
                charge=charge,
                unused=part,
                now=now,
                actor=actor,
            )


def paid_for(enrollment: Enrollment) -> dict[int, Decimal]:
    """Per payment, what it allocated to the enrollment's charges (voided ones included:
    their allocations are the history of what was paid)."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for payment_id, amount in Allocation.objects.filter(
        charge__in=enrollment_charges(enrollment)
    ).values_list("payment_id", "amount"):
        paid[payment_id] += amount
    return dict(paid)


def refund_key(enrollment: Enrollment, payment_id: int) -> str:
    return f"drop-refund-enrollment-{enrollment.pk}-payment-{payment_id}"


def staff_drop(
    *, organization, enrollment: Enrollment, refund_to_payment: bool, now: datetime, actor
) -> list[Refund]:
    """Staff "drop and refund" (or "drop and credit"): see the module's doc. Submitted twice:
    the drop, the voids and each refund happen once (the refund's key replays it)."""
    if enrollment.organization_id != organization.pk:
        raise drops.NotDroppable(_("That enrollment is not this organization's."))
    family = enrollment.student.family
    if enrollment.holds_place_at(now):
        drops.end_now(enrollment, now=now)
    for charge in enrollment_charges(enrollment).filter(void__isnull=True):
        with suppress(AlreadyVoided):
            services.void_charge(
                organization=organization,
                charge=charge,
                reason=site_text(gettext_lazy("Class dropped by staff")),
                now=now,
                actor=actor,
            )
    if not refund_to_payment:
        return []  # the voids freed the money into the family's credit
    refunds = []
    paid_by = family.payments.filter(pk__in=list(paid_for(enrollment))).exclude(
        method=PaymentMethodKind.CREDIT_ADJUSTMENT  # paid from credit: it stays credit
    )
    for payment in paid_by.order_by("pk"):
        key = refund_key(enrollment, payment.pk)
        existing = Refund.objects.filter(organization=organization, idempotency_key=key).first()
        if existing is not None:
            amount = existing.amount
        else:
            amount = min(
                paid_for(enrollment)[payment.pk], balances.payment_unallocated_amount(payment)
            )
        if amount <= 0:
            continue
        refunds.append(
            services.refund(
                organization=organization,
                payment=payment,
                amount=amount,
                reason=site_text(
                    gettext_lazy("Class dropped by staff: %(enrollment)s"), enrollment=enrollment
                ),
                idempotency_key=key,
                now=now,
                actor=actor,
            )
        )
    return refunds

"""The monthly billing run (docs/billing.md, "Billing runs").

For one organization on (or after) its billing day: one tuition charge per active monthly
enrollment for the month billed, priced by checkout's pricing service (`pricing.quote` with
`TuitionMonthItem`, the same rule — and, once there are discounts, the same discounts — as
checkout's first month), plus the yearly registration fee on its anniversary.

- The month billed: a billing day of 1 bills the month that starts that day; a later billing
  day bills the next month. Charges are due on that month's first day.
- Checkout charges the first month (the month of the first meeting on or after the day of
  enrolling: `pricing.first_month`); the run bills only months after it. A dropped enrollment
  is not billed for a month its drop took effect by (`_enrollments`); a month without
  meetings of the course's term (the term is over) neither.
- Idempotent by construction: every charge's key is `tuition-enrollment-<id>-<YYYY-MM>` (a
  fee: `fee-<schedule>-family-<id>-student-<id|0>-<YYYY-MM>`) and the ledger has a unique
  constraint on it. A run locks its organization's row (NO KEY UPDATE: inserts of rows that
  point at the organization are not blocked), so two runs queue and the second finds the keys
  posted; a crash midway rolls its one transaction back.
- Batched: a run reads the settings, closures, enrollments, posted keys, fee schedules and
  latest fees in one query each and inserts every charge in one statement; its number of
  queries does not grow with enrollments or families.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from springboard.billing.autopay_models import billing_settings
from springboard.billing.bulk import NewCharge, post_charges, posted_keys
from springboard.billing.models import Charge, ChargeKind
from springboard.booking.models import Enrollment
from springboard.catalog import schedule
from springboard.catalog.models import TuitionPeriod
from springboard.checkout import discounts, pricing
from springboard.checkout.models import FeeApplies, FeeFrequency, FeeSchedule
from springboard.core.money import ZERO
from springboard.tenancy.models import Organization
from springboard.tuition.models import BillingRun


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_for(today: date, billing_day: int) -> date:
    """The month the latest billing day on or before `today` bills (its first day)."""
    if today.day >= billing_day:
        billing_date = today.replace(day=billing_day)
    else:
        billing_date = (today.replace(day=1) - timedelta(days=1)).replace(day=billing_day)
    return billing_date if billing_day == 1 else next_month(billing_date)


def local_today(organization, now: datetime) -> date:
    return timezone.localtime(now, zoneinfo.ZoneInfo(organization.time_zone)).date()


@dataclass(frozen=True)
class PlannedCharge:
    new: NewCharge
    enrollment: Enrollment | None = None

    @property
    def is_fee(self) -> bool:
        return self.new.kind == ChargeKind.REGISTRATION_FEE


@dataclass
class RunPlan:
    organization: Organization
    period: date
    due_date: date
    charges: list[PlannedCharge] = field(default_factory=list)
    already_posted: int = 0

    @property
    def total(self) -> Decimal:
        return sum((c.new.amount for c in self.charges), ZERO)

    @property
    def families(self) -> int:
        return len({c.new.family.pk for c in self.charges})

    @property
    def tuition_charges(self) -> int:
        return sum(1 for c in self.charges if not c.is_fee)

    @property
    def fee_charges(self) -> int:
        return sum(1 for c in self.charges if c.is_fee)

    def by_family(self) -> list[tuple]:
        """(family, planned charges, total) for the preview, by family name."""
        groups: dict[int, list[PlannedCharge]] = defaultdict(list)
        for planned in self.charges:
            groups[planned.new.family.pk].append(planned)
        rows = [
            (charges[0].new.family, charges, sum((c.new.amount for c in charges), ZERO))
            for charges in groups.values()
        ]
        return sorted(rows, key=lambda row: (row[0].name, row[0].pk))


def tuition_key(enrollment_id: int, period: date) -> str:
    return f"tuition-enrollment-{enrollment_id}-{period:%Y-%m}"


def fee_key(schedule_id: int, family_id: int, student_id: int | None, period: date) -> str:
    return f"fee-{schedule_id}-family-{family_id}-student-{student_id or 0}-{period:%Y-%m}"


def _enrollments(organization, period: date) -> list[Enrollment]:
    """Enrollments still holding their place when the month starts (local midnight of its
    first day at the class's location): a drop taking effect by then is not billed, one
    taking effect later is (booking's one rule, `Enrollment.holds_place_at`)."""
    rows = (
        Enrollment.objects.filter(
            organization=organization,
            course__tuition_period=TuitionPeriod.MONTH,
            course__term__start_date__lt=next_month(period),
            course__term__end_date__gte=period,
        )
        .holding_place(datetime.combine(period, time(), tzinfo=UTC) - timedelta(days=1))
        .select_related("course__term", "course__location", "student__family__organization")
        .order_by("student__family_id", "created_at", "id")
    )
    return [
        e
        for e in rows
        if e.holds_place_at(
            datetime.combine(period, time(), tzinfo=zoneinfo.ZoneInfo(e.course.location.time_zone))
        )
    ]


def _billed_after_first_month(enrollment: Enrollment, closures, period: date) -> bool:
    """The month is after the one checkout charged when the student enrolled."""
    zone = zoneinfo.ZoneInfo(enrollment.course.location.time_zone)
    enrolled_on = timezone.localtime(enrollment.created_at, zone).date()
    try:
        first = pricing.first_month(enrollment.course, closures, today=enrolled_on)
    except pricing.PricingError:  # enrolled after the course's last meeting
        return False
    return period > first


def _charges_from_quote(lines, enrollments, family, period: date, *, currency: str):
    """Each line of a family's month becomes a charge, at its net amount: the pricing
    service's discount lines are folded into the line they reduce by `discounts.chargeable`,
    the one fold checkout's charges use too (the charge's computation names each discount).
    A class's line is keyed by its enrollment and month; a line of another kind by the
    family, its place and the month. A charge that comes to nothing is not posted (a free
    class, as at checkout)."""
    by_student_course = {(e.student_id, e.course_id): e for e in enrollments}
    planned: list[PlannedCharge] = []
    for index, line in enumerate(discounts.chargeable(lines, currency=currency)):
        course = line.subject if line.kind == ChargeKind.TUITION else None
        enrollment = by_student_course.get(
            (getattr(line.student, "pk", None), getattr(course, "pk", None))
        )
        if enrollment is not None:
            key = tuition_key(enrollment.pk, period)
        else:
            key = f"{line.kind}-family-{family.pk}-line-{index}-{period:%Y-%m}"
        planned.append(
            PlannedCharge(
                new=NewCharge(
                    family=family,
                    amount=line.amount,
                    kind=line.kind,
                    due_date=line.due_date,
                    idempotency_key=key,
                    ledger_fields=line.ledger_fields(),
                    student=line.student,
                    subject=enrollment if enrollment is not None else line.subject,
                ),
                enrollment=enrollment,
            )
        )
    return [p for p in planned if p.new.amount > 0]


def _tuition(organization, period, due_date, closures, today, now) -> list[PlannedCharge]:
    by_family: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in _enrollments(organization, period):
        if _billed_after_first_month(enrollment, closures, period):
            by_family[enrollment.student.family_id].append(enrollment)
    planned = []
    for enrollments in by_family.values():
        family = enrollments[0].student.family
        items = [
            pricing.TuitionMonthItem(
                course=e.course, student=e.student, month=period, due_date=due_date
            )
            for e in enrollments
        ]
        quote = pricing.quote(
            items,
            organization=organization,
            family=family,
            today=today,
            now=now,
            closures=closures,
        )
        planned += _charges_from_quote(
            quote.lines, enrollments, family, period, currency=organization.currency
        )
    return planned


def _fees(organization, period, due_date, tuition, closures, today, now) -> list[PlannedCharge]:
    """The yearly registration fee on its anniversary, for families billed this month."""
    schedules = list(
        FeeSchedule.objects.filter(
            organization=organization, is_active=True, frequency=FeeFrequency.YEARLY
        )
    )
    families = {p.new.family.pk: p.new.family for p in tuition}
    if not schedules or not families:
        return []
    students: dict[int, dict] = defaultdict(dict)
    for planned in tuition:
        if planned.new.student is not None:
            students[planned.new.family.pk][planned.new.student.pk] = planned.new.student
    latest = defaultdict(dict)  # family → {student id or None → latest fee}
    for row in (
        Charge.objects.filter(
            organization=organization,
            family__in=list(families),
            kind=ChargeKind.REGISTRATION_FEE,
            void__isnull=True,
        )
        .values("family", "student")
        .annotate(last=Max("created_at"))
    ):
        latest[row["family"]][row["student"]] = row["last"]
    context = pricing.PricingContext(
        organization=organization, family=None, today=today, now=now, closures=closures
    )
    planned = []
    for family_id, family in families.items():
        for fee in schedules:
            if fee.applies == FeeApplies.PER_STUDENT:
                targets = [(s, latest[family_id].get(s.pk)) for s in students[family_id].values()]
            else:
                fees = [v for v in latest[family_id].values() if v is not None]
                targets = [(None, max(fees) if fees else None)]
            for student, last in targets:
                # Only an anniversary: a family never charged the fee is not charged by a run.
                if last is None or not pricing.fee_due_after(fee, last, now=now):
                    continue
                line = pricing.fee_line(fee, student, context, due_date=due_date)
                planned.append(
                    PlannedCharge(
                        new=NewCharge(
                            family=family,
                            amount=line.amount,
                            kind=line.kind,
                            due_date=due_date,
                            idempotency_key=fee_key(
                                fee.pk, family_id, getattr(student, "pk", None), period
                            ),
                            ledger_fields=line.ledger_fields(),
                            student=student,
                            subject=fee,
                        )
                    )
                )
    return planned


def plan_run(organization, *, now: datetime, period: date | None = None) -> RunPlan:
    """What a run would post now (the preview): charges not posted yet, with totals."""
    today = local_today(organization, now)
    if period is None:
        period = period_for(today, billing_settings(organization).billing_day)
    period = pricing.month_start(period)
    due_date = max(period, today)  # a late run (housekeeping was down) is due the day it posts
    closures = schedule.closures_for(organization)
    charges = _tuition(organization, period, due_date, closures, today, now)
    charges += _fees(organization, period, due_date, charges, closures, today, now)
    done = posted_keys(organization, [c.new.idempotency_key for c in charges])
    plan = RunPlan(organization=organization, period=period, due_date=due_date)
    plan.charges = [c for c in charges if c.new.idempotency_key not in done]
    plan.already_posted = len(charges) - len(plan.charges)
    return plan


def lock_organization_run(organization) -> None:
    """One run of an organization at a time (its row, NO KEY UPDATE). A test replaces it to
    show what the lock prevents."""
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()


def post_run(
    organization, *, now: datetime, actor=None, period: date | None = None, after_plan=None
) -> BillingRun | None:
    """Post what `plan_run` shows, in one transaction; the BillingRun record, or None when
    there was nothing to post and nobody asked (housekeeping's quiet runs leave no row)."""
    with transaction.atomic():
        lock_organization_run(organization)
        plan = plan_run(organization, now=now, period=period)
        if after_plan:
            after_plan(plan)
        if not plan.charges and actor is None:
            return None
        post_charges(
            organization=organization, charges=[c.new for c in plan.charges], now=now, actor=actor
        )
        return BillingRun.objects.create(
            organization=organization,
            period=plan.period,
            due_date=plan.due_date,
            created_at=now,
            created_by=actor,
            families=plan.families,
            tuition_charges=plan.tuition_charges,
            fee_charges=plan.fee_charges,
            total=plan.total,
        )


def run_due_organizations(now: datetime) -> list[BillingRun]:
    """Housekeeping: every active organization's run for the month its billing day bills."""
    runs = []
    for organization in Organization.objects.filter(is_active=True).order_by("pk"):
        run = post_run(organization, now=now)
        if run is not None:
            runs.append(run)
    return runs

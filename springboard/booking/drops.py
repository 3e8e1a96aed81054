"""A family drops a class (docs/booking.md, "Drops"): the organization's rules decide when the
drop takes effect; until then the enrollment keeps its seat and is billed, from then on it
frees the seat (`Enrollment.holding_place`, the one rule availability and the monthly run
read) and the waitlist moves.

The money side (charges of months after the drop, the current month's unused part, staff
"drop and refund") is billing's and lives in `springboard.tuition.drops`, which calls this.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from springboard.booking import waitlist
from springboard.booking.locking import BookingBusy, BookingError, locked
from springboard.booking.models import (
    DropApproval,
    DropNotice,
    DropRules,
    Enrollment,
    EnrollmentStatus,
    TransferNotice,
    drop_rules,
)
from springboard.catalog import schedule
from springboard.catalog.models import Course


class DropError(BookingError):
    """A drop refused; the message says why (shown to the family)."""


class DropsOffline(DropError):
    pass


class DropTooLate(DropError):
    pass


class NotDroppable(DropError):
    pass


@dataclass(frozen=True)
class DropPlan:
    enrollment: Enrollment
    rules: DropRules
    effective_at: datetime  # the seat frees (and billing stops) at this moment
    effective_on: date  # its local date at the class's location
    last_meeting: date | None  # the last meeting the student still attends

    @property
    def needs_approval(self) -> bool:
        """The rules make it a request staff approve (tuition.changes)."""
        return self.rules.approval == DropApproval.REQUEST


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def effective_on(
    course: Course, rules: DropRules, closures, *, today: date, notice: str | None = None
) -> date:
    """The local day a drop asked for on `today` takes effect (its first moment).

    End of month: the first of next month. N days: the day of the first meeting at least N
    days ahead (meetings closer than that stay). Either way there must be a meeting on or
    after that day, else it is too late to drop (the class is as good as over). `notice`:
    a transfer's own notice (rules.transfer_notice; "next": today, from the next meeting)."""
    notice = notice or rules.notice
    if notice == TransferNotice.NEXT_MEETING:
        if schedule.first_meeting_on_or_after(course, closures, today) is None:
            raise DropTooLate(_("It is too late to change this class online: it is over."))
        return today
    if notice == DropNotice.DAYS_BEFORE_MEETING:
        day = schedule.first_meeting_on_or_after(
            course, closures, today + timedelta(days=rules.notice_days)
        )
        if day is None:
            raise DropTooLate(
                _(
                    "It is too late to drop this class online: its last meetings are less than "
                    "%(days)s days away."
                )
                % {"days": rules.notice_days}
            )
        return day
    day = _month_after(today)
    if schedule.first_meeting_on_or_after(course, closures, day) is None:
        raise DropTooLate(
            _(
                "It is too late to drop this class online: it ends before a drop would take "
                "effect (%(day)s)."
            )
            % {"day": date_format(day, "DATE_FORMAT")}
        )
    return day


def plan_drop(
    enrollment: Enrollment,
    *,
    family,
    now: datetime,
    on: date | None = None,
    notice: str | None = None,
    online: bool = True,
) -> DropPlan:
    """What a drop asked for at `now` would do; raises a DropError when it may not be.
    `on`: the day a request asked for (staff approving it later keep the family's day).
    `notice`: a transfer's notice. `online=False`: staff apply it (the online switch does
    not apply)."""
    if enrollment.student.family_id != family.pk:
        raise NotDroppable(_("That is not your family's enrollment."))
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise NotDroppable(_("This class is already dropped."))
    course = enrollment.course
    rules = drop_rules(family.organization, course.program_id)
    allowed = rules.transfer_online if notice else rules.online
    if online and not allowed:
        raise DropsOffline(_("To change this class, please contact us; it cannot be done online."))
    zone = schedule.location_zone(course)
    today = now.astimezone(zone).date()
    closures = schedule.closures_for(family.organization, location_ids=[course.location_id])
    day = on or effective_on(course, rules, closures, today=today, notice=notice)
    attended = [d for d in schedule.meeting_dates(course, closures) if d < day]
    return DropPlan(
        enrollment=enrollment,
        rules=rules,
        effective_at=max(now, datetime.combine(day, time(), tzinfo=zone)),
        effective_on=day,
        last_meeting=attended[-1] if attended else None,
    )


def drop_enrollment(
    enrollment: Enrollment,
    *,
    family,
    now: datetime,
    ends_at: datetime | None = None,
    plan: DropPlan | None = None,
) -> tuple[Enrollment, bool]:
    """Drop it: `status = dropped` now, the seat held until the plan's moment (staff pass
    `ends_at=now` to end it at once). Idempotent: an enrollment already dropped comes back
    unchanged with False. Under the course lock (the waitlist's rule), so a second click
    waits for the first and finds it done. When the seat frees at once, the waitlist is
    offered it now; a later end is offered by housekeeping when it comes."""
    if plan is not None:
        ends_at = plan.effective_at
    if ends_at is None:
        with suppress(NotDroppable):
            plan = plan_drop(enrollment, family=family, now=now)
        if plan is None:  # already dropped (a second click), or not theirs
            current = Enrollment.objects.get(pk=enrollment.pk)
            if current.student.family_id != family.pk:
                raise NotDroppable(_("That is not your family's enrollment."))
            return current, False
        ends_at = plan.effective_at
    elif enrollment.student.family_id != family.pk:
        raise NotDroppable(_("That is not your family's enrollment."))
    with locked(Course, [enrollment.course_id]):
        changed = Enrollment.objects.filter(
            pk=enrollment.pk, status=EnrollmentStatus.ACTIVE
        ).update(status=EnrollmentStatus.DROPPED, dropped_at=now, ends_at=ends_at)
    enrollment = Enrollment.objects.select_related("course__organization", "student").get(
        pk=enrollment.pk
    )
    if changed and ends_at <= now:
        with suppress(BookingBusy):  # the next housekeeping run offers it
            waitlist.offer_seats(enrollment.course, now=now)
    return enrollment, bool(changed)


def end_now(enrollment: Enrollment, *, now: datetime) -> None:
    """Staff end an enrollment at once (active, or dropped with its end still ahead): the
    seat frees now and the waitlist is offered it."""
    with locked(Course, [enrollment.course_id]):
        holding = Enrollment.objects.filter(pk=enrollment.pk).holding_place(now)
        holding.filter(status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.DROPPED, dropped_at=now, ends_at=now
        )
        holding.update(ends_at=now)
    with suppress(BookingBusy):  # the next housekeeping run offers it
        waitlist.offer_seats(enrollment.course, now=now)

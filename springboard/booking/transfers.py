"""A transfer's seat (docs/booking.md, "Transfers"): the family chooses another class the
student is eligible for, and its seat is held while they confirm, like a cart hold — a
`ChangeRequest` of kind transfer, status `held` until `hold_expires_at` (the cart's hold
minutes), counted by booking.availability as a place taken. Taken only through
`locking.locked` on the new course, after re-reading its openings (the one way a seat is
taken). Applying it (at once, or when staff approve) moves the student: the old enrollment
is dropped to end on the effective day, the new one starts holding its seat; the money is
tuition.changes'.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from springboard.booking.drops import DropError, DropPlan
from springboard.booking.locking import BookingError, locked
from springboard.booking.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Enrollment,
    EnrollmentStatus,
)
from springboard.booking.services import Hook, course_conflicts, hold_minutes, openings_now
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Course
from springboard.catalog.schedule import closures_for


class TransferRefused(BookingError):
    """The class is full or the student may not take it; the message says why."""

    status = 409


class TransferExpired(TransferRefused):
    """A request staff did not decide within the rules' days: its seat is no longer held."""

    def __init__(self):
        super().__init__(
            _(
                "This transfer request expired before it was decided: the seat is no longer "
                "held. The family may ask again."
            )
        )


@dataclass(frozen=True)
class Option:
    course: Course
    reasons: list[str]  # empty: eligible
    left: int  # openings

    @property
    def open(self) -> bool:
        return not self.reasons and self.left > 0


def candidates(enrollment: Enrollment, *, on: date):
    """Classes of the organization still meeting on or after `on`, other than this one."""
    return (
        Course.objects.for_organization(enrollment.organization)
        .filter(shown_on_web=True, term__end_date__gte=on)
        .exclude(pk=enrollment.course_id)
        .select_related("term", "location", "program")
        .order_by("name", "pk")
    )


def options(enrollment: Enrollment, *, on: date, now: datetime) -> list[Option]:
    """Each candidate with why the student may not take it (or its openings)."""
    from springboard.catalog.availability import course_openings, with_course_places_taken

    closures = closures_for(enrollment.organization)
    rows = with_course_places_taken(candidates(enrollment, on=on), now=now)
    found = []
    for course in rows:
        verdict = check_student(course, enrollment.student, today=on, now=now, closures=closures)
        found.append(Option(course, list(verdict.reasons), course_openings(course, now=now).left))
    return found


def check(course: Course, enrollment: Enrollment, *, on: date, now: datetime) -> None:
    """Raise TransferRefused with the reason when the student may not move to `course`
    (call it under the course's lock to rely on the openings)."""
    student = enrollment.student
    if course.organization_id != enrollment.organization_id or course.pk == enrollment.course_id:
        raise TransferRefused(_("Choose another class."))
    if course.term.end_date < on:
        raise TransferRefused(_("%(course)s is over.") % {"course": course.name})
    conflict = course_conflicts(student, course, now)
    if conflict:
        raise TransferRefused(conflict % {"name": student.first_name, "course": course.name})
    closures = closures_for(enrollment.organization, location_ids=[course.location_id])
    verdict = check_student(course, student, today=on, now=now, closures=closures)
    if not verdict.eligible:
        raise TransferRefused(" ".join(verdict.reasons))


def hold(
    *,
    family,
    plan: DropPlan,
    course: Course,
    now: datetime,
    lock: bool = True,
    after_read: Hook = None,
) -> ChangeRequest:
    """Hold a seat of `course` for the student while the family confirms the transfer.
    A family's earlier held transfer of this enrollment is let go first (one open change
    per enrollment). Raises TransferRefused ("full", ineligible) or BookingBusy."""
    enrollment = plan.enrollment
    if enrollment.student.family_id != family.pk:
        raise DropError(_("That is not your family's enrollment."))
    ChangeRequest.objects.filter(enrollment=enrollment, status=ChangeStatus.HELD).update(
        status=ChangeStatus.LAPSED
    )
    if ChangeRequest.objects.filter(enrollment=enrollment, status=ChangeStatus.PENDING).exists():
        raise TransferRefused(_("A change of this class is already waiting for approval."))
    with locked(Course, [course.pk], lock=lock):
        course = Course.objects.select_related("term", "location", "program").get(pk=course.pk)
        check(course, enrollment, on=plan.effective_on, now=now)
        left = openings_now(course.pk, now=now).left
        if after_read:
            after_read()
        if left <= 0:
            raise TransferRefused(_("%(course)s is full.") % {"course": course.name})
        try:
            with transaction.atomic():
                return ChangeRequest.objects.create(
                    organization=enrollment.organization,
                    family=family,
                    student=enrollment.student,
                    enrollment=enrollment,
                    kind=ChangeKind.TRANSFER,
                    to_course=course,
                    status=ChangeStatus.HELD,
                    effective_on=plan.effective_on,
                    hold_expires_at=now + timedelta(minutes=hold_minutes(family.organization)),
                    created_at=now,
                )
        except IntegrityError as error:  # another click held it a moment ago
            raise TransferRefused(_("This class is already being changed.")) from error


def move(change: ChangeRequest, plan: DropPlan, *, now: datetime, to_status: str) -> Enrollment:
    """Apply a held (confirmed at once) or pending (approved) transfer: under both courses'
    locks, the old enrollment ends on the effective day and the new one is created. A hold
    that ran out is re-checked against the openings like a new one. Idempotent through the
    request's conditional status update: a second call raises TransferRefused."""
    enrollment = plan.enrollment
    course = change.to_course
    with locked(Course, [enrollment.course_id, course.pk]):
        current = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        if current.status not in (ChangeStatus.HELD, ChangeStatus.PENDING):
            raise TransferRefused(_("This transfer is already decided."))
        expires = current.hold_expires_at if current.status == ChangeStatus.PENDING else None
        if expires is not None and expires <= now:  # staff were too late: it expired
            raise TransferExpired()
        still_held = current.status == ChangeStatus.PENDING or current.hold_expires_at > now
        course = Course.objects.select_related("term", "location").get(pk=course.pk)
        if not still_held:
            check(course, enrollment, on=plan.effective_on, now=now)
            if openings_now(course.pk, now=now).left <= 0:
                raise TransferRefused(_("%(course)s is full.") % {"course": course.name})
        changed = Enrollment.objects.filter(
            pk=enrollment.pk, status=EnrollmentStatus.ACTIVE
        ).update(status=EnrollmentStatus.DROPPED, dropped_at=now, ends_at=plan.effective_at)
        if not changed:
            raise TransferRefused(_("This class is already dropped."))
        ChangeRequest.objects.filter(pk=change.pk).update(status=to_status, decided_at=now)
        return Enrollment.objects.create(
            organization=enrollment.organization,
            student=enrollment.student,
            course=course,
            created_at=now,
        )


def expire_requests(
    now: datetime, *, pk: int | None = None, enrollment: Enrollment | None = None
) -> list[ChangeRequest]:
    """Transfer requests staff did not decide before `hold_expires_at` (the rules' days):
    each becomes `expired` (decided now, by nobody) and its new seat stops being held — by
    read it already is, like a cart hold. A conditional update: a request staff decide at
    the same moment is either approved or expired, never both. Returns the rows expired."""
    due = ChangeRequest.objects.filter(
        kind=ChangeKind.TRANSFER, status=ChangeStatus.PENDING, hold_expires_at__lte=now
    )
    if pk is not None:
        due = due.filter(pk=pk)
    if enrollment is not None:
        due = due.filter(enrollment=enrollment)
    expired = []
    for row in due.select_related("to_course", "family", "student", "enrollment__course"):
        if ChangeRequest.objects.filter(pk=row.pk, status=ChangeStatus.PENDING).update(
            status=ChangeStatus.EXPIRED, decided_at=now
        ):
            row.status, row.decided_at = ChangeStatus.EXPIRED, now
            expired.append(row)
    return expired

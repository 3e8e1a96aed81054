"""Staff decide a requested absence or makeup in the activity queue (docs/booking.md,
"Absences and makeups"; tuition.changes.approve / deny hand these kinds here).

Approving re-checks the rules at that moment with the same checks the family's click ran
(`services.check_absence`: the meeting, the enrollment holding its place, the cut-off;
`services.check_makeup`: not started, the credit's expiry, eligibility; the term limit): a
request whose cut-off has passed cannot be approved, and staff are told why. An approved
absence frees its place and gets its credit (counted from the rules then); an approved makeup
keeps the place and the credit it already held. Denying ends the row: a denied makeup's place
and credit are free again; a denied absence never freed anything. The family is emailed
either way, in its language (attendance.mail)."""

from datetime import datetime

from django.utils.translation import gettext as _

from springboard.attendance import mail, services
from springboard.attendance.models import (
    Absence,
    AbsenceStatus,
    Makeup,
    MakeupStatus,
)
from springboard.attendance.rules import rules_for
from springboard.attendance.services import AttendanceError
from springboard.booking.change_models import ATTENDANCE_KINDS
from springboard.booking.locking import locked
from springboard.booking.models import ChangeKind, ChangeRequest, ChangeStatus
from springboard.catalog.models import Course


class AlreadyDecided(AttendanceError):
    def __init__(self):
        super().__init__(_("This request is already decided."))


class CannotApprove(AttendanceError):
    pass


def _load(change: ChangeRequest) -> ChangeRequest:
    if change.kind not in ATTENDANCE_KINDS:
        raise AttendanceError(_("That is not an absence or a makeup request."))
    return ChangeRequest.objects.select_related("family__organization", "student").get(pk=change.pk)


def _close(change, *, to_status, note: str, now: datetime, actor) -> None:
    """The request's decision, once: a second decision finds it decided."""
    if not ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.PENDING).update(
        status=to_status, decided_at=now, decided_by=actor, staff_note=note.strip()
    ):
        raise AlreadyDecided()
    change.refresh_from_db()


def _refused(refusal: AttendanceError) -> CannotApprove:
    return CannotApprove(
        _("This request cannot be approved any more: %(reason)s Deny it to tell the family.")
        % {"reason": refusal.message}
    )


def _absence_of(change) -> Absence:
    return Absence.objects.select_related(
        "enrollment__student", "course__location", "course__organization", "student"
    ).get(request=change)


def _makeup_of(change) -> Makeup:
    return Makeup.objects.select_related(
        "absence__course__organization",
        "student",
        "course__location",
        "course__organization",
        "family",
    ).get(request=change)


def approve(change: ChangeRequest, *, note: str, now: datetime, actor) -> None:
    change = _load(change)
    if change.status != ChangeStatus.PENDING:
        raise AlreadyDecided()
    if change.kind == ChangeKind.ABSENCE:
        row = _approve_absence(change, note=note, now=now, actor=actor)
    else:
        row = _approve_makeup(change, note=note, now=now, actor=actor)
    mail.decided(change, row, approved=True)


def _approve_absence(change, *, note, now, actor) -> Absence:
    absence = _absence_of(change)
    with locked(Course, [absence.course_id]):
        if Absence.objects.get(pk=absence.pk).status != AbsenceStatus.REQUESTED:
            raise AlreadyDecided()
        rules = rules_for(absence.course)
        try:
            services.check_absence(absence.enrollment, rules, absence.date, now=now)
        except AttendanceError as refusal:
            raise _refused(refusal) from refusal
        _close(change, to_status=ChangeStatus.APPROVED, note=note, now=now, actor=actor)
        absence.status = AbsenceStatus.ABSENT
        absence.credit_expires_at = services.credit_until(rules, absence.starts_at)
        Absence.objects.filter(pk=absence.pk).update(
            status=absence.status, credit_expires_at=absence.credit_expires_at
        )
    return absence


def _approve_makeup(change, *, note, now, actor) -> Makeup:
    makeup = _makeup_of(change)
    credit, student = makeup.absence, makeup.student
    with locked(Course, {makeup.course_id, credit.course_id}):
        if Makeup.objects.get(pk=makeup.pk).status != MakeupStatus.REQUESTED:
            raise AlreadyDecided()
        credit.refresh_from_db()
        choice = services.check_makeup(
            student,
            credit,
            makeup.course,
            makeup.date,
            makeup.starts_at,
            now=now,
            enrolled_course_ids=services.enrolled_course_ids(student, makeup.starts_at),
        )
        if credit.status != AbsenceStatus.ABSENT:
            raise _refused(AttendanceError(_("The absence it was booked with is undone.")))
        if not choice.eligible:
            refusal = AttendanceError(" ".join(str(reason) for reason in choice.reasons))
            raise _refused(refusal)
        if services.over_term_limit(student, credit, besides=makeup):
            raise _refused(services.term_limit_error(student))
        _close(change, to_status=ChangeStatus.APPROVED, note=note, now=now, actor=actor)
        Makeup.objects.filter(pk=makeup.pk).update(status=MakeupStatus.BOOKED)
    return makeup


def deny(change: ChangeRequest, *, note: str, now: datetime, actor) -> None:
    """Nothing the family asked for happens; a makeup's held place and credit are free."""
    change = _load(change)
    if change.kind == ChangeKind.ABSENCE:
        row = _absence_of(change)
        with locked(Course, [row.course_id]):
            _close(change, to_status=ChangeStatus.DENIED, note=note, now=now, actor=actor)
            Absence.objects.filter(pk=row.pk, status=AbsenceStatus.REQUESTED).update(
                status=AbsenceStatus.DENIED
            )
    else:
        row = _makeup_of(change)
        with locked(Course, [row.course_id]):
            _close(change, to_status=ChangeStatus.DENIED, note=note, now=now, actor=actor)
            Makeup.objects.filter(pk=row.pk, status=MakeupStatus.REQUESTED).update(
                status=MakeupStatus.DENIED, cancelled_at=now
            )
    mail.decided(change, row, approved=False)

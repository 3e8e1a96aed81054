"""Marking a meeting absent, undoing it, and booking a makeup with the absence's credit
(docs/booking.md, "Absences and makeups"). Each change takes the class's row lock the way a
seat is taken (booking.locking), re-checks, then writes; refusals are AttendanceErrors a
family can read.

Where the rules say "a request staff approve" (`absence_approval`, `makeup_approval`) the
same checks run and the same row is written, in status `requested`, with a pending
ChangeRequest (kind absence / makeup) for the activity queue; attendance.decisions approves
(re-checking the rules then) or denies it. A requested absence frees no place and gives no
credit yet; a requested makeup holds its place and its credit (attendance.places counts it).
In automatic mode the family gets a confirmation email, under a request a "request
received" one (attendance.mail); a second click sends none."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from springboard.attendance import mail, places
from springboard.attendance.models import (
    HOLDING,
    MARKED,
    Absence,
    AbsenceStatus,
    AttendanceRules,
    Makeup,
    MakeupStatus,
)
from springboard.attendance.rules import cutoff, rules_for
from springboard.booking.locking import BookingError, locked
from springboard.booking.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    DropApproval,
    Enrollment,
)
from springboard.catalog import eligibility, schedule
from springboard.catalog.models import Course
from springboard.families.language import language_of


class AttendanceError(BookingError):
    """A refusal shown to the family; nothing changed."""

    status = 409


class NotAMeeting(AttendanceError):
    status = 400


class NotYours(AttendanceError):
    status = 404


def meeting_start(course: Course, day: date, closures=None) -> datetime | None:
    """The start of the course's meeting on `day` (local), or None when it does not meet."""
    if closures is None:
        closures = schedule.closures_for(course.organization, location_ids=[course.location_id])
    if schedule.first_meeting_on_or_after(course, closures, day) != day:
        return None
    return datetime.combine(day, course.start_time, tzinfo=schedule.location_zone(course))


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _meeting_or_refuse(course: Course, day: date) -> datetime:
    starts = meeting_start(course, day)
    if starts is None:
        raise NotAMeeting(
            _("%(course)s does not meet on %(day)s.") % {"course": course.name, "day": _day(day)}
        )
    return starts


def credit_until(rules: AttendanceRules, starts: datetime) -> datetime | None:
    """When an absence's makeup credit expires (None: makeups are not allowed)."""
    return starts + timedelta(days=rules.credit_days) if rules.makeups_allowed else None


def check_absence(enrollment: Enrollment, rules: AttendanceRules, day: date, *, now) -> datetime:
    """The rules of an absence at `now` (the family's click, or staff approving it later):
    the meeting's start, or the refusal. Online or not is the family's rule, checked apart."""
    starts = _meeting_or_refuse(enrollment.course, day)
    if not enrollment.holds_place_at(starts):
        raise AttendanceError(
            _("%(name)s is not in this class on %(day)s.")
            % {"name": enrollment.student.first_name, "day": _day(day)}
        )
    if now >= cutoff(rules, starts):
        raise AttendanceError(
            _(
                "It is too late to mark %(day)s absent online: absences close %(hours)s hours "
                "before the class starts."
            )
            % {"day": _day(day), "hours": rules.cutoff_hours}
        )
    return starts


def _file_request(*, family, student, kind, course, day, now, summary) -> ChangeRequest:
    """The pending request behind a requested absence or makeup (created with its row, in
    the same transaction, so the row's unique rule is the request's too)."""
    return ChangeRequest.objects.create(
        organization=family.organization,
        family=family,
        student=student,
        kind=kind,
        to_course=course,
        effective_on=day,
        status=ChangeStatus.PENDING,
        money_summary=summary,
        language=language_of(family),
        created_at=now,
    )


def _create_row(model, *, asks, status, requested, kind, requester, now, summary, **fields):
    """Create the absence or makeup `model` row for `fields` (student, course, date, ...):
    in status `status`, or, when the rules ask staff (`asks`), in status `requested` with its
    pending ChangeRequest of `kind` filed by the `requester` family (`summary()`: the
    request's money sentence)."""
    request = None
    if asks:
        request = _file_request(
            family=requester,
            student=fields["student"],
            kind=kind,
            course=fields["course"],
            day=fields["date"],
            now=now,
            summary=summary(),
        )
    return model.objects.create(status=requested if asks else status, request=request, **fields)


def mark_absent(
    enrollment: Enrollment, day: date, *, family, now: datetime
) -> tuple[Absence, bool]:
    """Mark the meeting on `day` absent (idempotent: a second click returns the same absence
    and False). With makeups allowed the absence carries a credit until `credit_days` after
    the meeting starts. Under "a request staff approve" the absence is `requested` (with a
    pending ChangeRequest) until staff decide."""
    if enrollment.student.family_id != family.pk:
        raise NotYours(_("That is not your family's enrollment."))
    course = enrollment.course
    rules = rules_for(course)
    if not rules.absences_online:
        raise AttendanceError(
            _("To report an absence, please contact us; it cannot be done online.")
        )
    starts = check_absence(enrollment, rules, day, now=now)
    asks = rules.absence_approval == DropApproval.REQUEST
    credit = credit_until(rules, starts)
    with locked(Course, [course.pk]):
        existing = Absence.objects.filter(enrollment=enrollment, date=day, status__in=MARKED)
        if found := existing.first():
            return found, False
        try:
            with transaction.atomic():
                absence = _create_row(
                    Absence,
                    asks=asks,
                    status=AbsenceStatus.ABSENT,
                    requested=AbsenceStatus.REQUESTED,
                    kind=ChangeKind.ABSENCE,
                    requester=family,
                    now=now,
                    summary=lambda: mail.credit_sentence(credit),
                    organization=enrollment.organization,
                    enrollment=enrollment,
                    course=course,
                    student=enrollment.student,
                    date=day,
                    starts_at=starts,
                    marked_at=now,
                    credit_expires_at=credit,
                )
        except IntegrityError:  # a concurrent click on SQLite got there first
            return existing.get(), False
    if asks:
        mail.absence_requested(absence, family=family)
    else:
        mail.absence_marked(absence, family=family)
    return absence, True


def undo_absence(absence: Absence, *, family, now: datetime) -> None:
    """The student comes after all: until the cut-off, when the credit is unused and the
    place the absence freed has not been taken by someone else's makeup."""
    if absence.student.family_id != family.pk:
        raise NotYours(_("That is not your family's absence."))
    if absence.status == AbsenceStatus.REQUESTED:
        withdraw_absence(absence, now=now)
        return
    course = absence.course
    rules = rules_for(course)
    if now >= cutoff(rules, absence.starts_at):
        raise AttendanceError(
            _("It is too late to undo this absence online: the class starts soon.")
        )
    with locked(Course, [course.pk]):
        current = Absence.objects.get(pk=absence.pk)
        if current.status != AbsenceStatus.ABSENT:
            return
        if current.makeups.filter(status__in=HOLDING).exists():
            raise AttendanceError(
                _("This absence's makeup credit is already used: cancel the makeup first.")
            )
        left = places.meeting_places(course, current.date, current.starts_at, now=now).left
        if left < 1:
            raise AttendanceError(
                _(
                    "The place this absence freed has been taken by another student's makeup, "
                    "so the absence stays; its makeup credit is still yours."
                )
            )
        Absence.objects.filter(pk=current.pk).update(status=AbsenceStatus.UNDONE, undone_at=now)


def _withdraw(request_id, *, now) -> None:
    if request_id:
        ChangeRequest.objects.filter(pk=request_id, status=ChangeStatus.PENDING).update(
            status=ChangeStatus.LAPSED, decided_at=now
        )


def withdraw_absence(absence: Absence, *, now: datetime) -> None:
    """The family takes back an absence staff have not decided: it freed nothing and gave
    no credit, so it simply ends, and its request leaves the queue."""
    with locked(Course, [absence.course_id]):
        if Absence.objects.filter(pk=absence.pk, status=AbsenceStatus.REQUESTED).update(
            status=AbsenceStatus.UNDONE, undone_at=now
        ):
            _withdraw(absence.request_id, now=now)


def credits_of(student, *, now: datetime):
    """The student's usable makeup credits, soonest to expire first."""
    return (
        Absence.objects.filter(
            student=student, status=AbsenceStatus.ABSENT, credit_expires_at__gt=now
        )
        .exclude(makeups__status__in=HOLDING)
        .select_related("course__program", "course__term", "course__organization")
        .order_by("credit_expires_at", "id")
    )


def expired_credits_of(student, *, now: datetime):
    return Absence.objects.filter(
        student=student, status=AbsenceStatus.ABSENT, credit_expires_at__lte=now
    ).exclude(makeups__status__in=HOLDING)


@dataclass(frozen=True)
class Choice:
    """Why a class's meeting is (not) a makeup for a student with a credit."""

    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def check_makeup(
    student,
    credit: Absence,
    course: Course,
    day: date,
    starts: datetime,
    *,
    now,
    enrolled_course_ids,
    rules=None,
) -> Choice:
    """The eligibility of a makeup (catalog.eligibility's age and gender rules at the day)."""
    reasons = []
    rules = rules or rules_for(credit.course)
    if starts <= now:
        reasons.append(_("This class has already started."))
    if credit.credit_expires_at is None or starts > credit.credit_expires_at:
        reasons.append(_("The makeup credit expires before this class."))
    if course.pk in enrolled_course_ids:
        reasons.append(_("%(name)s is already in this class.") % {"name": student.first_name})
    if rules.same_program and course.program_id != credit.course.program_id:
        reasons.append(_("Makeups are for classes of the same program."))
    if course.organization_id != credit.organization_id or not course.shown_on_web:
        reasons.append(_("This class does not take makeups."))
    age = eligibility.age_in_months(student.birth_date, day)
    if not course.min_age_in_months <= age <= course.max_age_in_months:
        reasons.append(course.ages_label)
    if not eligibility.gender_qualifies(student.gender, course.gender):
        reasons.append(
            _("This class is for %(gender)s only.") % {"gender": course.get_gender_display()}
        )
    return Choice(reasons)


def enrolled_course_ids(student, at: datetime) -> set[int]:
    return set(
        Enrollment.objects.filter(student=student)
        .holding_place(at)
        .values_list("course_id", flat=True)
    )


def over_term_limit(student, credit: Absence, *, besides=None) -> bool:
    """Whether another makeup of the credit's term would pass the rules' limit (`besides`:
    a requested makeup being approved, not counted against itself)."""
    rules = rules_for(credit.course)
    if rules.max_makeups_per_term is None:
        return False
    used = Makeup.objects.filter(
        student=student,
        status__in=HOLDING,
        absence__course__term_id=credit.course.term_id,
    )
    if besides is not None:
        used = used.exclude(pk=besides.pk)
    return used.count() >= rules.max_makeups_per_term


def term_limit_error(student) -> AttendanceError:
    return AttendanceError(
        _("%(name)s has had the most makeups this term allows.") % {"name": student.first_name}
    )


def book_makeup(
    student,
    course: Course,
    day: date,
    *,
    family,
    now: datetime,
    lock: bool = True,
    after_read: Callable[[], None] | None = None,
) -> Makeup:
    """Book the meeting of `course` on `day` for `student` with their soonest-expiring
    credit. Under the row locks of both classes (the credit's, whose undo it races, and the
    makeup's), in ascending order, then the credit and the meeting's places are re-read.
    A second click (a makeup booked or asked for that meeting) returns the first. Under "a
    request staff approve" the makeup is `requested` with a pending ChangeRequest: it holds
    the place and the credit until staff decide."""
    if student.family_id != family.pk:
        raise NotYours(_("That is not your family's student."))
    starts = _meeting_or_refuse(course, day)
    same_meeting = Makeup.objects.filter(
        student=student, course=course, date=day, status__in=HOLDING
    )
    if found := same_meeting.first():
        return found
    credit = credits_of(student, now=now).first()
    if credit is None:
        if expired_credits_of(student, now=now).exists():
            raise AttendanceError(
                _("%(name)s's makeup credits have expired.") % {"name": student.first_name}
            )
        raise AttendanceError(
            _("%(name)s has no makeup credit left: a makeup needs a class marked absent first.")
            % {"name": student.first_name}
        )
    choice = check_makeup(
        student,
        credit,
        course,
        day,
        starts,
        now=now,
        enrolled_course_ids=enrolled_course_ids(student, starts),
    )
    if not choice.eligible:
        raise AttendanceError(" ".join(str(reason) for reason in choice.reasons))
    if over_term_limit(student, credit):
        raise term_limit_error(student)
    rules = rules_for(credit.course)
    asks = rules.makeup_approval == DropApproval.REQUEST
    with locked(Course, {course.pk, credit.course_id}, lock=lock):
        credit = credits_of(student, now=now).filter(pk=credit.pk).first()
        if credit is None:
            raise AttendanceError(_("That makeup credit was just used; please check your makeups."))
        left = places.meeting_places(course, day, starts, now=now).left
        if after_read is not None:
            after_read()
        if left < 1:
            raise AttendanceError(
                _("%(course)s is full on %(day)s; please choose another class or day.")
                % {"course": course.name, "day": _day(day)}
            )
        try:
            with transaction.atomic():
                makeup = _create_row(
                    Makeup,
                    asks=asks,
                    status=MakeupStatus.BOOKED,
                    requested=MakeupStatus.REQUESTED,
                    kind=ChangeKind.MAKEUP,
                    requester=family,
                    now=now,
                    summary=lambda: mail.makeup_sentence(credit),
                    organization=course.organization,
                    family=family,
                    absence=credit,
                    student=student,
                    course=course,
                    date=day,
                    starts_at=starts,
                    booked_at=now,
                )
        except IntegrityError as error:  # a concurrent click got there first
            if found := same_meeting.first():
                return found
            raise AttendanceError(
                _("That makeup credit was just used; please check your makeups.")
            ) from error
    if asks:
        mail.makeup_requested(makeup, family=family)
    else:
        mail.makeup_booked(makeup, family=family)
    return makeup


def cancel_makeup(makeup: Makeup, *, family, now: datetime) -> None:
    """Give a makeup back before its class starts (or take back one staff have not
    decided): the credit is usable again (until it expires) and the place frees."""
    if makeup.family_id != family.pk:
        raise NotYours(_("That is not your family's makeup."))
    if makeup.starts_at <= now:
        raise AttendanceError(_("This makeup class has already started."))
    with locked(Course, [makeup.course_id]):
        if Makeup.objects.filter(pk=makeup.pk, status__in=HOLDING).update(
            status=MakeupStatus.CANCELLED, cancelled_at=now
        ):
            _withdraw(makeup.request_id, now=now)


@dataclass(frozen=True)
class Option:
    course: Course
    day: date
    starts_at: datetime
    places_left: int


OPTION_DAYS = 28
OPTION_LIMIT = 40


def makeup_options(student, credit: Absence, *, now: datetime) -> list[Option]:
    """Meetings the student may book with `credit`, soonest first: eligible classes of the
    organization meeting before the credit expires (within the next four weeks), with a
    place that meeting. A bounded number of queries whatever the catalogue holds."""
    organization = credit.organization
    zone_today = now.astimezone(schedule.location_zone(credit.course)).date()
    until = min(credit.credit_expires_at, now + timedelta(days=OPTION_DAYS))
    courses = list(
        Course._default_manager.filter(
            organization=organization,
            shown_on_web=True,
            term__end_date__gte=zone_today,
            term__start_date__lte=until.date(),
        ).select_related("location", "term", "program", "organization")
    )
    rules = rules_for(credit.course)
    if rules.same_program:
        courses = [c for c in courses if c.program_id == credit.course.program_id]
    closures = schedule.closures_for(organization, location_ids={c.location_id for c in courses})
    enrolled = enrolled_course_ids(student, now)
    candidates = []
    for course in courses:
        if course.pk in enrolled:
            continue
        for starts, _ends in schedule.meetings(course, closures, on_or_after=zone_today):
            if starts > until:
                break
            day = starts.date()
            choice = check_makeup(
                student,
                credit,
                course,
                day,
                starts,
                now=now,
                enrolled_course_ids=enrolled,
                rules=rules,
            )
            if choice.eligible:
                candidates.append((course, day, starts))
    candidates.sort(key=lambda c: (c[2], c[0].name))
    candidates = candidates[: OPTION_LIMIT * 2]
    counted = places.places_at([(c.pk, d, s) for c, d, s in candidates], now=now)
    options = [
        Option(course, day, starts, counted[(course.pk, day)].left)
        for course, day, starts in candidates
        if counted[(course.pk, day)].left > 0
    ]
    return options[:OPTION_LIMIT]

"""Marking a meeting absent, undoing it, and booking a makeup with the absence's credit
(docs/booking.md, "Absences and makeups"). Each change takes the class's row lock the way a
seat is taken (booking.locking), re-checks, then writes; refusals are AttendanceErrors a
family can read."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from springboard.attendance import places
from springboard.attendance.models import Absence, AbsenceStatus, Makeup, MakeupStatus
from springboard.attendance.rules import cutoff, rules_for
from springboard.booking.locking import BookingError, locked
from springboard.booking.models import Enrollment
from springboard.catalog import eligibility, schedule
from springboard.catalog.models import Course


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


def mark_absent(
    enrollment: Enrollment, day: date, *, family, now: datetime
) -> tuple[Absence, bool]:
    """Mark the meeting on `day` absent (idempotent: a second click returns the same absence
    and False). With makeups allowed the absence carries a credit until `credit_days` after
    the meeting starts."""
    if enrollment.student.family_id != family.pk:
        raise NotYours(_("That is not your family's enrollment."))
    course = enrollment.course
    rules = rules_for(course)
    if not rules.absences_online:
        raise AttendanceError(
            _("To report an absence, please contact us; it cannot be done online.")
        )
    starts = _meeting_or_refuse(course, day)
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
    with locked(Course, [course.pk]):
        existing = Absence.objects.filter(
            enrollment=enrollment, date=day, status=AbsenceStatus.ABSENT
        ).first()
        if existing:
            return existing, False
        try:
            with transaction.atomic():
                absence = Absence.objects.create(
                    organization=enrollment.organization,
                    enrollment=enrollment,
                    course=course,
                    student=enrollment.student,
                    date=day,
                    starts_at=starts,
                    marked_at=now,
                    credit_expires_at=(
                        starts + timedelta(days=rules.credit_days)
                        if rules.makeups_allowed
                        else None
                    ),
                )
        except IntegrityError:  # a concurrent click on SQLite got there first
            return Absence.objects.get(enrollment=enrollment, date=day, status="absent"), False
    return absence, True


def undo_absence(absence: Absence, *, family, now: datetime) -> None:
    """The student comes after all: until the cut-off, when the credit is unused and the
    place the absence freed has not been taken by someone else's makeup."""
    if absence.student.family_id != family.pk:
        raise NotYours(_("That is not your family's absence."))
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
        if current.makeups.filter(status=MakeupStatus.BOOKED).exists():
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


def credits_of(student, *, now: datetime):
    """The student's usable makeup credits, soonest to expire first."""
    return (
        Absence.objects.filter(
            student=student, status=AbsenceStatus.ABSENT, credit_expires_at__gt=now
        )
        .exclude(makeups__status=MakeupStatus.BOOKED)
        .select_related("course__program", "course__term", "course__organization")
        .order_by("credit_expires_at", "id")
    )


def expired_credits_of(student, *, now: datetime):
    return Absence.objects.filter(
        student=student, status=AbsenceStatus.ABSENT, credit_expires_at__lte=now
    ).exclude(makeups__status=MakeupStatus.BOOKED)


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


def _over_term_limit(student, credit: Absence) -> bool:
    rules = rules_for(credit.course)
    if rules.max_makeups_per_term is None:
        return False
    used = Makeup.objects.filter(
        student=student,
        status=MakeupStatus.BOOKED,
        absence__course__term_id=credit.course.term_id,
    ).count()
    return used >= rules.max_makeups_per_term


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
    makeup's), in ascending order, then the credit and the meeting's places are re-read."""
    if student.family_id != family.pk:
        raise NotYours(_("That is not your family's student."))
    starts = _meeting_or_refuse(course, day)
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
    if _over_term_limit(student, credit):
        raise AttendanceError(
            _("%(name)s has had the most makeups this term allows.") % {"name": student.first_name}
        )
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
                return Makeup.objects.create(
                    organization=course.organization,
                    family=family,
                    absence=credit,
                    student=student,
                    course=course,
                    date=day,
                    starts_at=starts,
                    booked_at=now,
                )
        except IntegrityError as error:
            raise AttendanceError(
                _("%(name)s already has a makeup in this class that day.")
                % {"name": student.first_name}
            ) from error


def cancel_makeup(makeup: Makeup, *, family, now: datetime) -> None:
    """Give a makeup back before its class starts: the credit is usable again (until it
    expires) and the place frees."""
    if makeup.family_id != family.pk:
        raise NotYours(_("That is not your family's makeup."))
    if makeup.starts_at <= now:
        raise AttendanceError(_("This makeup class has already started."))
    with locked(Course, [makeup.course_id]):
        Makeup.objects.filter(pk=makeup.pk, status=MakeupStatus.BOOKED).update(
            status=MakeupStatus.CANCELLED, cancelled_at=now
        )


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

"""Who may take a course: one service for the pages, the wizard and, later, cart and checkout.

Plain functions over explicit values, so the not-logged-in wizard (a birth date and gender
typed in) and a family's student (`check_student`, wired once families exist) ask the same
question. Rules:
- age, in whole months, at the course's first meeting on or after today, within the course's
  min/max (both inclusive);
- gender: girls/boys courses take female/male students; a student of another gender
  qualifies for "any" courses only;
- the term's enrollment window is open now;
- not already enrolled.

Age arithmetic: a month of age is complete on the same day-of-month as the birth date, or on
the last day of a shorter month (born 31 Jan → 1 month old on 28/29 Feb; born 29 Feb → a year
older on 28 Feb in years without 29 Feb).
"""

import calendar
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from springboard.catalog.models import Closure, Course, Gender
from springboard.catalog.schedule import first_meeting_on_or_after

STUDENT_GENDERS = ("female", "male", "other")  # families.Student.gender values
QUALIFYING_GENDERS = {
    "female": {Gender.ANY, Gender.GIRLS},
    "male": {Gender.ANY, Gender.BOYS},
    "other": {Gender.ANY},
}


def age_in_months(birth_date: date, on: date) -> int:
    """Whole months of age on a day (see the module notes for month ends and leap days)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    last_day = calendar.monthrange(on.year, on.month)[1]
    if on.day < min(birth_date.day, last_day):
        months -= 1
    return months


def format_age_in_months(months: int) -> str:
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{rest}m"
    return f"{years}y {rest}m"


def short_date(day: date) -> str:
    return f"{day.day} {formats.date_format(day, 'M')}"


def gender_qualifies(student_gender: str, course_gender: str) -> bool:
    return course_gender in QUALIFYING_GENDERS.get(student_gender, {Gender.ANY})


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    first_meeting: date | None = None
    age_at_first_meeting: int | None = None  # months


def check_course(
    course: Course,
    *,
    birth_date: date,
    gender: str,
    first_name: str = "",
    enrolled_course_ids: Iterable[int] = frozenset(),
    today: date,
    now: datetime,
    closures: Iterable[Closure] = (),
) -> Eligibility:
    """Whether a student qualifies for a course, and if not, why (readable by a family).

    `closures` are the organization's closures (pass them once for a whole page);
    `now` is the caller's moment and decides the enrollment window.
    """
    name = first_name or _("Your student")
    reasons: list[str] = []
    first = first_meeting_on_or_after(course, closures, today)
    age = None
    if first is None:
        reasons.append(_("This class has no more meetings this term."))
    else:
        age = age_in_months(birth_date, first)
        if not course.min_age_in_months <= age <= course.max_age_in_months:
            reasons.append(
                _("%(ages)s; %(name)s will be %(age)s on %(date)s")
                % {
                    "ages": course.ages_label,
                    "name": name,
                    "age": format_age_in_months(max(age, 0)),
                    "date": short_date(first),
                }
            )
    if not gender_qualifies(gender, course.gender):
        reasons.append(
            _("This class is for %(gender)s only.") % {"gender": course.get_gender_display()}
        )
    term = course.term
    if not term.enrollment_is_open(now):
        if now < term.enrollment_opens_at:
            zone = zoneinfo.ZoneInfo(course.location.time_zone)
            opens = timezone.localtime(term.enrollment_opens_at, zone)
            reasons.append(
                _("Enrollment opens %(date)s")
                % {"date": formats.date_format(opens, "DATETIME_FORMAT")}
            )
        else:
            reasons.append(_("Enrollment for %(term)s has closed.") % {"term": term.name})
    if course.pk in set(enrolled_course_ids):
        reasons.append(_("%(name)s is already enrolled.") % {"name": name})
    return Eligibility(not reasons, reasons, first, age)


def check_student(course: Course, student, **kwargs) -> Eligibility:
    """The hook for a family's student (families.Student: first_name, birth_date, gender)."""
    return check_course(
        course,
        birth_date=student.birth_date,
        gender=student.gender,
        first_name=student.first_name,
        **kwargs,
    )


def age_window_in_months(birth_date: date, *, start: date, end: date) -> tuple[int, int]:
    """The student's age range (months) between two days: a coarse filter before the exact
    check, so the database returns only courses that can possibly fit."""
    return age_in_months(birth_date, start), age_in_months(birth_date, end)

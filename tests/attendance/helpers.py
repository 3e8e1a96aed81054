"""Builders for the absence and makeup tests: a Monday class and a Wednesday class of one
program in the January term, a family with a child of 6 enrolled on Monday."""

from datetime import date, datetime, time

from springboard.attendance.models import AttendanceRules
from springboard.booking.models import Enrollment
from tests import family_factories
from tests.catalog import factories as catalog

CHICAGO = catalog.CHICAGO
MONDAY = date(2027, 1, 11)  # a meeting of the Monday class (4-5pm Chicago)
WEDNESDAY = date(2027, 1, 13)  # a meeting of the Wednesday class (4-5pm Chicago)
SUNDAY_NOON = datetime(2027, 1, 10, 12, tzinfo=CHICAGO)
KID_BIRTH_DATE = date(2020, 6, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def rules(org, **fields) -> AttendanceRules:
    fields.setdefault("absences_online", True)
    fields.setdefault("makeups_allowed", True)
    fields.setdefault("cutoff_hours", 2)
    fields.setdefault("credit_days", 30)
    return AttendanceRules.objects.create(organization=org, **fields)


def enrolled_family(org, course, *, last_name="Rivera", now=SUNDAY_NOON):
    family = family_factories.family(org, last_name=last_name)
    kid = family_factories.student(family, birth_date=KID_BIRTH_DATE)
    enrollment = Enrollment.objects.create(
        organization=org, student=kid, course=course, created_at=now
    )
    return family, kid, enrollment


def fill(org, course, count, *, now=SUNDAY_NOON):
    """`count` other families enrolled in the course."""
    return [
        enrolled_family(org, course, last_name=f"Filler{course.pk}x{n}", now=now)
        for n in range(count)
    ]


def classes(org, **fields):
    monday = catalog.course(org, name="Monday Tumbling", monday=True, **fields)
    wednesday = catalog.course(
        org, name="Wednesday Tumbling", wednesday=True, program=monday.program, **fields
    )
    return monday, wednesday

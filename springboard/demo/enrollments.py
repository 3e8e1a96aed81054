"""Demo enrollments: a neighbourhood of families whose children fill some classes, so the demo
shows "FULL — waitlist" and "1 opening" from real enrollments (openings are computed, never
set). Idempotent: rows are found by natural keys (family name, student name, course).
Children's ages (years, days) are fixed; their birth dates follow the day of loading."""

from datetime import datetime

from springboard.booking.models import Enrollment, WaitlistEntry
from springboard.catalog.models import Course
from springboard.demo.dates import born, local_today
from springboard.demo.waitingroom import TERM_PREFIX as WAITING_ROOM_TERM
from springboard.families.models import Family, Student
from springboard.tenancy.models import Organization

NEIGHBOURS = "The Neighbour Family"
CHILDREN = [  # first name, (years, days) old, gender
    ("Ava", (7, 243), "female"),
    ("Ben", (6, 321), "male"),
    ("Cleo", (8, 145), "female"),
    ("Dev", (9, 41), "male"),
    ("Elle", (5, 301), "female"),
    ("Finn", (10, 185), "male"),
    ("Gia", (6, 355), "female"),
    ("Hugo", (8, 273), "male"),
    ("Ivy", (6, 115), "female"),
    ("Jay", (9, 308), "male"),
    ("Kai", (7, 178), "other"),
]


def _neighbours(organization: Organization, now: datetime) -> list[Student]:
    today = local_today(now, organization.time_zone)
    family, _ = Family.objects.get_or_create(
        organization=organization,
        name=NEIGHBOURS,
        defaults={
            "address_line1": "7 Oak Street",
            "city": "Springfield",
            "postal_code": "62704",
            "mobile_phone": "+12175550190",
            "email": "neighbours@demo.example",
            "email_confirmed_at": now,
        },
    )
    students = []
    for first_name, (years, days), gender in CHILDREN:
        student, _ = Student.objects.get_or_create(
            organization=organization,
            family=family,
            first_name=first_name,
            last_name="Neighbour",
            defaults={"birth_date": born(today, years, days), "gender": gender},
        )
        students.append(student)
    return students


def _fill(course: Course, students: list[Student], count: int, now: datetime) -> None:
    for student in students[:count]:
        Enrollment.objects.get_or_create(
            organization=course.organization,
            student=student,
            course=course,
            status="active",
            defaults={"created_at": now},
        )


def load_demo_enrollments(organization: Organization, *, now: datetime) -> None:
    """Every 6th class full (two neighbours waiting), every "nearly full" one (capacity 2)
    with one seat left, in both terms."""
    students = _neighbours(organization, now)
    courses = (
        Course.objects.for_organization(organization)
        .filter(capacity__gt=0)
        .exclude(term__name__startswith=WAITING_ROOM_TERM)  # registration night: all open
        .order_by("pk")
    )
    for index, course in enumerate(courses):
        if course.capacity == 2:
            _fill(course, students, 1, now)
        elif index % 6 == 5 and course.capacity <= len(students) - 2:
            _fill(course, students, course.capacity, now)
            for student in students[course.capacity : course.capacity + 2]:
                WaitlistEntry.objects.get_or_create(
                    organization=organization,
                    student=student,
                    course=course,
                    status="waiting",
                    defaults={"family": student.family, "joined_at": now},
                )

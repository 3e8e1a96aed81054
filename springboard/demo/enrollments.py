"""Demo enrollments: a neighbourhood of families whose children fill some classes, so the demo
shows "FULL — waitlist" and "1 opening" from real enrollments (openings are computed, never
set). Idempotent: rows are found by natural keys (family name, student name, course)."""

from datetime import date

from django.utils import timezone

from springboard.booking.models import Enrollment, WaitlistEntry
from springboard.catalog.models import Course
from springboard.families.models import Family, Student
from springboard.tenancy.models import Organization

NEIGHBOURS = "The Neighbour Family"
CHILDREN = [
    ("Ava", date(2019, 4, 2), "female"),
    ("Ben", date(2020, 1, 15), "male"),
    ("Cleo", date(2018, 7, 9), "female"),
    ("Dev", date(2017, 10, 21), "male"),
    ("Elle", date(2021, 2, 3), "female"),
    ("Finn", date(2016, 5, 30), "male"),
    ("Gia", date(2019, 12, 12), "female"),
    ("Hugo", date(2018, 3, 3), "male"),
    ("Ivy", date(2020, 8, 8), "female"),
    ("Jay", date(2017, 1, 27), "male"),
    ("Kai", date(2019, 6, 6), "other"),
]


def _neighbours(organization: Organization) -> list[Student]:
    family, _ = Family.objects.get_or_create(
        organization=organization,
        name=NEIGHBOURS,
        defaults={
            "address_line1": "7 Oak Street",
            "city": "Springfield",
            "postal_code": "62704",
            "mobile_phone": "+12175550190",
            "email": "neighbours@demo.example",
            "email_confirmed_at": timezone.now(),
        },
    )
    students = []
    for first_name, birth_date, gender in CHILDREN:
        student, _ = Student.objects.get_or_create(
            organization=organization,
            family=family,
            first_name=first_name,
            last_name="Neighbour",
            defaults={"birth_date": birth_date, "gender": gender},
        )
        students.append(student)
    return students


def _fill(course: Course, students: list[Student], count: int) -> None:
    for student in students[:count]:
        Enrollment.objects.get_or_create(
            organization=course.organization,
            student=student,
            course=course,
            status="active",
            defaults={"created_at": timezone.now()},
        )


def load_demo_enrollments(organization: Organization) -> None:
    """Every 6th class full (two neighbours waiting), every "nearly full" one (capacity 2)
    with one seat left."""
    students = _neighbours(organization)
    courses = Course.objects.for_organization(organization).filter(capacity__gt=0).order_by("pk")
    for index, course in enumerate(courses):
        if course.capacity == 2:
            _fill(course, students, 1)
        elif index % 6 == 5 and course.capacity <= len(students) - 2:
            _fill(course, students, course.capacity)
            for student in students[course.capacity : course.capacity + 2]:
                WaitlistEntry.objects.get_or_create(
                    organization=organization,
                    student=student,
                    course=course,
                    status="waiting",
                    defaults={"family": student.family, "joined_at": timezone.now()},
                )

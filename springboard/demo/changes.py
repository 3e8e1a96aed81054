"""A change of plans to try in the demo (docs/demo.md, "A change of plans"): Swim Lessons'
drops are requests staff approve in the activity queue (the organization's other programs
keep the defaults: automatic, at the end of the month), and Mia Rivera's class is full with
a neighbour's child waiting, so when her drop takes effect the seat frees and the waiting
family gets the offer email. Absences and makeups are `demo/attendance.py`.

Idempotent: one rules row per program, the neighbours' places and the waitlist entry found
by student and course. Runs after `demo/money.py`, which picks Mia's class."""

from datetime import datetime

from springboard.booking.models import DropRules, Enrollment, WaitlistEntry
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Program
from springboard.catalog.schedule import closures_for
from springboard.demo.catalog import SWIM
from springboard.demo.dates import local_today
from springboard.demo.enrollments import NEIGHBOURS
from springboard.demo.money import FAMILY_EMAIL
from springboard.families.models import Student
from springboard.tenancy.models import Organization

REQUEST_PROGRAM = SWIM


def _drop_requests(organization: Organization) -> None:
    program = Program.objects.filter(organization=organization, name=REQUEST_PROGRAM).first()
    if program is not None:
        DropRules.objects.get_or_create(
            organization=organization, program=program, defaults={"approval": "request"}
        )


def _full_with_one_waiting(organization: Organization, *, now: datetime) -> None:
    enrollment = (
        Enrollment.objects.filter(
            student__family__organization=organization,
            student__family__email=FAMILY_EMAIL,
            status="active",
        )
        .select_related("course")
        .order_by("pk")
        .first()
    )
    if enrollment is None:
        return
    course = enrollment.course
    today = local_today(now, organization.time_zone)
    closures = closures_for(organization)
    neighbours = list(
        Student.objects.filter(organization=organization, family__name=NEIGHBOURS).order_by("pk")
    )
    # Children the class is for first (their ages are fixed, so the order is too).
    neighbours.sort(
        key=lambda s: not check_student(course, s, today=today, now=now, closures=closures).eligible
    )
    others = (
        Enrollment.objects.filter(course=course, status="active")
        .exclude(student__in=neighbours)
        .count()
    )
    seats = max(course.capacity - others, 0)
    if seats + 1 > len(neighbours):
        return
    for student in neighbours[:seats]:
        Enrollment.objects.get_or_create(
            organization=organization,
            student=student,
            course=course,
            status="active",
            defaults={"created_at": now},
        )
    waiting = neighbours[seats]
    WaitlistEntry.objects.get_or_create(
        organization=organization,
        student=waiting,
        course=course,
        status="waiting",
        defaults={"family": waiting.family, "joined_at": now},
    )


def load_demo_changes(organization: Organization, *, now: datetime) -> None:
    _drop_requests(organization)
    _full_with_one_waiting(organization, now=now)

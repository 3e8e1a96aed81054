"""The demo family's money (issue 7): one paid enrollment (Enrollment + Charge + Payment +
Allocation), one outstanding charge, some credit and a saved sandbox card, so Payments,
History, Statement, Payment methods and the dashboard notice all show something at once.

The enrollment is in the current term (so Coming Up! lists its next meetings), the outstanding
charge is next month's tuition, due in a week, and the card expires three years after the day
the demo is loaded.

Idempotent: everything is found by natural keys (the family, the student and course, a
charge's description, a payment's idempotency key) and posted through the billing services,
so loading the demo twice changes nothing.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q

from springboard.billing import services
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Allocation, Charge, ChargeKind, subject_fields
from springboard.billing.payment_methods import save_payment_method
from springboard.booking.models import Enrollment
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Course
from springboard.catalog.schedule import closures_for
from springboard.demo.dates import demo_calendar, local_today
from springboard.families.models import Family, Student
from springboard.tenancy.models import Organization

FAMILY_EMAIL = "family@demo.example"
CARD_NUMBER = "4242424242424242"
CARD_YEARS = 3
OUTSTANDING_AMOUNT = Decimal("60.00")
CREDIT_AMOUNT = Decimal("25.00")


def outstanding_description(today: date) -> str:
    """ "Tuition, February 2027 (demo)" when loaded in January 2027: next month's tuition."""
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return f"Tuition, {next_month:%B %Y} (demo)"


def _card(today: date) -> dict[str, str]:
    return {
        "number": CARD_NUMBER,
        "exp_month": f"{today.month:02d}",
        "exp_year": str(today.year + CARD_YEARS),
        "cvc": "123",
    }


def _course_for(student: Student, now: datetime) -> Course | None:
    """A class of the current term the student qualifies for today, with at least three free
    seats (the first by id: stable)."""
    organization = student.organization
    calendar = demo_calendar(now, organization.time_zone)
    closures = closures_for(organization)
    candidates = (
        Course.objects.for_organization(organization)
        .filter(term__name=calendar.current_term.name, capacity__gte=6)
        .select_related("term", "location")
        .annotate(taken=Count("enrollments", filter=Q(enrollments__status="active")))
        .filter(taken__lte=F("capacity") - 3)
        .order_by("pk")
    )
    for course in candidates:
        verdict = check_student(course, student, today=calendar.today, now=now, closures=closures)
        if verdict.eligible:
            return course
    return None


def _paid_enrollment(organization, family, token: str, now: datetime) -> None:
    student = family.students.order_by("birth_date", "pk").first()
    if student is None:
        return
    enrollment = Enrollment.objects.filter(student=student, status="active").first()
    if enrollment is None:
        course = _course_for(student, now)
        if course is None:
            return
        enrollment = Enrollment.objects.create(
            organization=organization, student=student, course=course, created_at=now
        )
    charge = Charge.objects.filter(family=family, **subject_fields(enrollment)).first()
    if charge is None:
        charge = services.post_charge(
            organization=organization,
            family=family,
            amount=enrollment.course.tuition or Decimal("80.00"),
            description=f"Tuition: {enrollment.course.name} ({student.first_name})",
            kind=ChargeKind.TUITION,
            due_date=local_today(now, organization.time_zone),
            now=now,
            student=student,
            subject=enrollment,
        )
    payment = services.record_payment(
        organization=organization,
        family=family,
        amount=charge.amount,
        token=token,
        idempotency_key=f"demo-family-{family.pk}-enrollment-{enrollment.pk}",
        now=now,
        description="Demo: tuition paid at checkout",
    )
    if not Allocation.objects.filter(payment=payment, charge=charge).exists():
        services.allocate(
            organization=organization,
            payment=payment,
            charge=charge,
            amount=charge.amount,
            now=now,
        )


def load_demo_money(organization: Organization, *, now: datetime) -> None:
    family = Family.objects.filter(organization=organization, email=FAMILY_EMAIL).first()
    if family is None:
        return
    today = local_today(now, organization.time_zone)
    method = family.payment_methods.first()
    if method is None:
        token = (
            SandboxGateway(organization)
            .tokenise(
                kind="card",
                fields=_card(today),
                idempotency_key=f"demo-card-{family.pk}",
                today=today,
            )
            .token
        )
        method = save_payment_method(organization=organization, family=family, token=token)
    _paid_enrollment(organization, family, method.token, now)
    outstanding = outstanding_description(today)
    if not Charge.objects.filter(family=family, description=outstanding).exists():
        services.post_charge(
            organization=organization,
            family=family,
            amount=OUTSTANDING_AMOUNT,
            description=outstanding,
            kind=ChargeKind.TUITION,
            due_date=today + timedelta(days=7),
            now=now,
        )
    services.post_credit(
        organization=organization,
        family=family,
        amount=CREDIT_AMOUNT,
        reason="Goodwill credit for a cancelled class (demo)",
        now=now,
        actor=None,
        idempotency_key=f"demo-family-{family.pk}-credit",
    )

"""The demo family's money (issue 7): one paid enrollment (Enrollment + Charge + Payment +
Allocation), one outstanding charge, some credit and a saved sandbox card, so Payments,
History, Statement, Payment methods and the dashboard notice all show something at once.

Idempotent: everything is found by natural keys (the family, the student and course, a
charge's description, a payment's idempotency key) and posted through the billing services,
so loading the demo twice changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from springboard.billing import services
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Allocation, Charge, ChargeKind, subject_fields
from springboard.billing.payment_methods import save_payment_method
from springboard.booking.models import Enrollment
from springboard.catalog.models import Course
from springboard.families.models import Family, Student
from springboard.tenancy.models import Organization

FAMILY_EMAIL = "family@demo.example"
CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
OUTSTANDING = "Tuition, February 2027 (demo)"
OUTSTANDING_AMOUNT = Decimal("60.00")
CREDIT_AMOUNT = Decimal("25.00")


def _course_for(student: Student) -> Course | None:
    """A class with a free seat for the student's age (the first by id: stable)."""
    age = timezone.localdate().year - student.birth_date.year
    return (
        Course.objects.for_organization(student.organization)
        .filter(min_age_years__lte=age, max_age_years__gte=age, capacity__gte=6)
        .annotate(taken=Count("enrollments", filter=Q(enrollments__status="active")))
        .order_by("pk")
        .filter(taken__lte=F("capacity") - 3)
        .first()
    )


def _paid_enrollment(organization, family, token: str, now) -> None:
    student = family.students.order_by("birth_date", "pk").first()
    if student is None:
        return
    enrollment = Enrollment.objects.filter(student=student, status="active").first()
    if enrollment is None:
        course = _course_for(student)
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
            due_date=timezone.localdate(),
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


def load_demo_money(organization: Organization) -> None:
    family = Family.objects.filter(organization=organization, email=FAMILY_EMAIL).first()
    if family is None:
        return
    now = timezone.now()
    method = family.payment_methods.first()
    if method is None:
        token = (
            SandboxGateway(organization)
            .tokenise(
                kind="card",
                fields=CARD,
                idempotency_key=f"demo-card-{family.pk}",
                today=now.date(),
            )
            .token
        )
        method = save_payment_method(organization=organization, family=family, token=token)
    _paid_enrollment(organization, family, method.token, now)
    if not Charge.objects.filter(family=family, description=OUTSTANDING).exists():
        services.post_charge(
            organization=organization,
            family=family,
            amount=OUTSTANDING_AMOUNT,
            description=OUTSTANDING,
            kind=ChargeKind.TUITION,
            due_date=timezone.localdate() + timedelta(days=7),
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

"""What happens when the payment answers late or the confirmation cannot book: the window is
re-checked at the moment the gateway answered (not when the form was posted); a seat taken
meanwhile is never oversold — the payment is kept as credit and the family is told; nothing
after a charged card is ever a 500."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Charge, Payment
from springboard.booking import services as booking
from springboard.booking.models import Enrollment, EventRegistration
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from springboard.checkout import services
from springboard.checkout.models import OrderStatus
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _hold_the_last_seat(client, org, kid):
    course = catalog.course(org, capacity=1, tuition=Decimal("100.00"))
    response = client.post("/acme/cart/add/class/", {"course": course.pk, "student": [kid.pk]})
    assert response.status_code == 302
    return course


def _slow_gateway(monkeypatch, clock, moment, meanwhile=lambda: None):
    """The gateway answers at `moment`; `meanwhile` happens while it is thinking."""
    real_charge = SandboxGateway.charge

    def charge(self, **kwargs):
        result = real_charge(self, **kwargs)
        clock.move_to(moment)
        meanwhile()
        return result

    monkeypatch.setattr(SandboxGateway, "charge", charge)


def test_a_seat_taken_while_a_late_payment_was_thinking_is_kept_as_credit_never_oversold(
    logged_in, org, family, clock, monkeypatch
):
    fam, kid = family
    course = _hold_the_last_seat(logged_in, org, kid)
    order = start(logged_in)
    late = order.expires_at + timedelta(minutes=1)
    rival, rival_kid = make_family(org, last_name="Rival")

    def rival_books():  # the window has passed, so the seat is free for the rival
        booking.add_course(family=rival, students=[rival_kid], course=course, now=late)

    _slow_gateway(monkeypatch, clock, late, rival_books)

    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order), follow=True)

    assert response.status_code == 200
    assert "kept as credit" in _messages(response)
    assert not Enrollment.objects.filter(student=kid).exists()
    openings = course_openings(Course.objects.get(pk=course.pk), now=late)
    assert openings.taken == 1 and not openings.oversold  # the rival's seat, once
    payment = Payment.objects.get(family=fam)
    assert balances.credit(fam) == payment.amount == order.due_now
    assert not Charge.objects.exists()
    order.refresh_from_db()
    assert order.status != OrderStatus.CONFIRMED


def test_a_late_payment_still_books_when_its_seat_is_still_free(
    logged_in, org, family, clock, monkeypatch
):
    fam, kid = family
    course = _hold_the_last_seat(logged_in, org, kid)
    order = start(logged_in)
    _slow_gateway(monkeypatch, clock, order.expires_at + timedelta(minutes=1))

    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))

    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(student=kid, course=course, status="active").count() == 1
    assert balances.credit(fam) == Decimal("0.00")


def test_a_camp_day_booked_by_staff_meanwhile_is_not_booked_twice_and_the_payment_is_credit(
    logged_in, org, family
):
    fam, kid = family
    camp = catalog.event(org, days=[date(2027, 3, 15)], capacity_per_day=5)
    day = camp.days.get()
    booking.add_event(family=fam, student=kid, event=camp, days=[day], now=timezone.now())
    order = start(logged_in)
    EventRegistration.objects.create(  # the front desk registered her by phone meanwhile
        organization=org, student=kid, event_day=day, created_at=timezone.now()
    )

    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))

    assert response.status_code == 400  # the form again, with the reason
    assert "already booked on a day" in response.content.decode()
    assert "kept as credit" in response.content.decode()
    assert EventRegistration.objects.filter(student=kid, event_day=day).count() == 1
    assert balances.credit(fam) == Payment.objects.get(family=fam).amount
    assert not Charge.objects.exists()


def test_an_unexpected_database_error_after_the_card_was_charged_is_credit_not_a_500(
    logged_in, org, family, monkeypatch
):
    fam, kid = family
    _hold_the_last_seat(logged_in, org, kid)
    order = start(logged_in)

    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "_book", broken)

    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order), follow=True)

    assert response.status_code in (200, 400)
    assert "kept as credit" in response.content.decode()
    assert not Enrollment.objects.exists()
    assert not Charge.objects.exists()
    assert balances.credit(fam) == Payment.objects.get(family=fam).amount

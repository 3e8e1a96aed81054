"""Checkout start refuses a class a student was enrolled in meanwhile (staff booked it), and
only that pair: the same students enrolled in each other's classes are not "booked"."""

import pytest
from django.utils import timezone

from springboard.booking.models import Enrollment
from springboard.checkout import seats
from springboard.checkout.models import Order
from springboard.core.prepared import compiled
from tests import family_factories
from tests.booking.conftest import KID_BIRTH_DATE
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _cart_of_two_classes(client, org, family):
    fam, mia = family
    leo = family_factories.student(fam, first_name="Leo", birth_date=KID_BIRTH_DATE)
    swim = catalog.course(org, name="Swim", capacity=4)
    gym = catalog.course(org, name="Gym", capacity=4)
    for course, student in ((swim, mia), (gym, leo)):
        response = client.post(
            "/acme/cart/add/class/", {"course": course.pk, "student": student.pk}
        )
        assert response.status_code == 302
    return (swim, mia), (gym, leo)


def _enroll(org, course, student):
    Enrollment.objects.create(
        organization=org, student=student, course=course, created_at=timezone.now()
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_students_enrolled_in_each_others_classes_still_check_out(logged_in, org, family):
    (swim, mia), (gym, leo) = _cart_of_two_classes(logged_in, org, family)
    _enroll(org, gym, mia)  # staff enrolled each in the other's class meanwhile
    _enroll(org, swim, leo)
    response = logged_in.post("/acme/cart/checkout/start/")
    assert response["Location"] == "/acme/cart/checkout/"
    order = Order.objects.get()
    assert sorted(item.cart_item.course.name for item in order.items.all()) == ["Gym", "Swim"]
    kept = compiled(seats._ACTIVE_ENROLLMENTS)  # read through a prepared query
    assert kept and all(kept)


def test_a_class_a_student_was_enrolled_in_meanwhile_is_refused_by_name(logged_in, org, family):
    (swim, mia), (gym, leo) = _cart_of_two_classes(logged_in, org, family)
    _enroll(org, gym, leo)
    response = logged_in.post("/acme/cart/checkout/start/", follow=True)
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    assert "Leo is already enrolled in Gym" in _messages(response)
    assert "Remove it from the cart." in _messages(response)
    assert not Order.objects.exists()


def test_a_dropped_enrollment_does_not_count_as_booked(logged_in, org, family):
    (swim, mia), _gym = _cart_of_two_classes(logged_in, org, family)
    Enrollment.objects.create(
        organization=org, student=mia, course=swim, created_at=timezone.now(), status="dropped"
    )
    assert logged_in.post("/acme/cart/checkout/start/")["Location"] == "/acme/cart/checkout/"

"""Shared steps of the checkout tests: hold classes, start the checkout, post the pay form."""

from springboard.checkout.models import Order
from tests import family_factories
from tests.billing.factories import VISA, card_token
from tests.booking.conftest import KID_BIRTH_DATE
from tests.catalog import factories as catalog


def cart_with_two_students(client, org, family, capacity=4):
    fam, first = family
    second = family_factories.student(fam, first_name="Leo", birth_date=KID_BIRTH_DATE)
    course = catalog.course(org, capacity=capacity, tuition="100.00")
    response = client.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    return course, [first, second]


def start(client) -> Order:
    response = client.post("/acme/cart/checkout/start/")
    assert response["Location"] == "/acme/cart/checkout/", response
    return Order.objects.latest("pk")


def pay_data(org, order, *, number=VISA, attempt=None, **extra):
    data = {
        "order": order.pk,
        "attempt": attempt or order.attempt,
        "method": "card",
        "payment_token": card_token(org, number) if number else "",
    }
    data.update(extra)
    return data

"""Every "busy" answer says when to come back (issue 17, item 2): a seat lock not granted in
time is a 409 with Retry-After (BOOKING_BUSY_RETRY_SECONDS), like the 503 of a saturated login
(tests/families/test_password_hashing.py)."""

import pytest
import time_machine

from springboard.booking import services as booking_services
from springboard.booking.locking import BookingBusy
from springboard.checkout import services as checkout_services
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _during_enrollment():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family(org):
    return make_family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family[0].guardians.get().user)
    return client


def _busy(**_kwargs):
    raise BookingBusy()


def _says_try_again(response, seconds="2"):
    assert response.status_code == 409
    assert response["Retry-After"] == seconds
    assert "Many families are booking right now" in response.content.decode()


def test_adding_a_class_under_a_held_lock(logged_in, org, family, monkeypatch):
    monkeypatch.setattr(booking_services, "add_course", _busy)
    course = catalog.course(org)
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk}
    )
    _says_try_again(response)


def test_starting_checkout_under_a_held_lock(logged_in, org, family, monkeypatch, settings):
    settings.BOOKING_BUSY_RETRY_SECONDS = 5
    course = catalog.course(org)
    booking_services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    monkeypatch.setattr(checkout_services, "start_checkout", _busy)
    _says_try_again(logged_in.post("/acme/cart/checkout/start/"), seconds="5")


def test_paying_under_a_held_lock(logged_in, org, family, monkeypatch):
    course = catalog.course(org)
    booking_services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    user = family[0].guardians.get().user
    order = checkout_services.start_checkout(family=family[0], user=user, now=NOW)
    monkeypatch.setattr(checkout_services, "pay", _busy)
    response = logged_in.post(
        "/acme/cart/checkout/",
        {"order": order.pk, "attempt": order.attempt, "method": "credit"},
    )
    _says_try_again(response)

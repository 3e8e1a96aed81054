"""Payments shows what autopay will do: upcoming charges with their due dates, the card it
will use (or that it is off), what it paid, past declines and the next try."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import autopay
from springboard.billing.models import SavedPaymentMethod
from springboard.billing.payment_methods import save_payment_method
from tests.billing.factories import DECLINED_CARD, VISA, card_token, charge
from tests.booking.conftest import make_family
from tests.helpers import queries_for
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db
URL = "/acme/account/payments/"


@pytest.fixture(autouse=True)
def _on_2_february():
    with time_machine.travel(at(2027, 2, 2), tick=False):
        yield


@pytest.fixture
def family(org):
    family, _kid = make_family(org)
    return family


@pytest.fixture
def logged_in(client, family):
    client.force_login(family.guardians.get().user)
    return client


def _card(family, number=VISA, **fields):
    with time_machine.travel(at(2027, 1, 10), tick=False):
        return save_payment_method(
            organization=family.organization,
            family=family,
            token=card_token(family.organization, number, **fields),
            make_default=True,
            autopay=True,
        )


def test_payments_shows_upcoming_charges_and_the_autopay_card(logged_in, family):
    _card(family)
    charge(family, "80.00", due_date=date(2027, 3, 1), now=timezone.now(), description="March")
    page = logged_in.get(URL).content.decode()
    assert "On: charges are paid on their due dates with Visa ••••4242 12/99" in page
    assert 'data-testid="upcoming"' in page and "March 1, 2027" in page
    assert "Autopay pays it on its due date" in page


def test_payments_says_autopay_is_off_and_warns_of_an_expiring_card(logged_in, family, org):
    charge(family, "80.00", due_date=date(2027, 3, 1), now=timezone.now())
    page = logged_in.get(URL).content.decode()
    assert "Off: nothing is paid automatically" in page
    assert "Autopay pays it" not in page
    _card(family, exp_month="02", exp_year="2027")
    page = logged_in.get(URL).content.decode()
    assert 'data-testid="autopay-expiring"' in page
    assert "expires before the charge due March 1, 2027" in page


def test_payments_shows_past_declines_and_the_next_try(logged_in, family, org):
    _card(family, DECLINED_CARD)
    with time_machine.travel(at(2027, 1, 10), tick=False):
        charge(family, "80.00", due_date=date(2027, 2, 1), now=timezone.now(), description="Feb")
    with time_machine.travel(at(2027, 2, 1), tick=False):
        autopay.collect(org, now=timezone.now())
    page = logged_in.get(URL).content.decode()
    assert 'data-testid="autopay-declines"' in page
    assert "Your card was declined" in page
    assert "Autopay declined; next try Feb. 3" in page


def test_payments_shows_what_autopay_paid(logged_in, family, org):
    _card(family)
    with time_machine.travel(at(2027, 1, 10), tick=False):
        charge(family, "80.00", due_date=date(2027, 2, 1), now=timezone.now(), description="Feb")
    with time_machine.travel(at(2027, 2, 1), tick=False):
        autopay.collect(org, now=timezone.now())
    page = logged_in.get(URL).content.decode()
    assert 'data-testid="autopay-paid"' in page and "Feb" in page
    assert 'data-testid="nothing-owed"' in page


def test_the_page_s_queries_do_not_grow_with_attempts(logged_in, family, org):
    _card(family, DECLINED_CARD)
    with time_machine.travel(at(2027, 1, 10), tick=False):
        charge(family, "80.00", due_date=date(2027, 2, 1), now=timezone.now())
    with time_machine.travel(at(2027, 2, 1), tick=False):
        autopay.collect(org, now=timezone.now())
    few = queries_for(logged_in, URL)
    with time_machine.travel(at(2027, 1, 10), tick=False):
        for _n in range(4):
            charge(family, "10.00", due_date=date(2027, 2, 1), now=timezone.now())
    with time_machine.travel(at(2027, 2, 1, hour=11), tick=False):
        autopay.collect(org, now=timezone.now())
    assert queries_for(logged_in, URL) == few


def test_checkout_can_save_the_card_for_autopay(client, org, family):
    from tests.catalog import factories as catalog
    from tests.checkout.helpers import pay_data, start

    client.force_login(family.guardians.get().user)
    course = catalog.course(org, tuition="100.00")
    kid = family.students.get()
    client.post("/acme/cart/add/class/", {"course": course.pk, "student": [kid.pk]})
    order = start(client)
    response = client.post("/acme/cart/checkout/", pay_data(org, order, autopay="1"))
    assert response.status_code == 302
    method = SavedPaymentMethod.objects.get(family=family)
    assert method.autopay and method.is_default

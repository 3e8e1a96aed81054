"""Visitor checkout (issue 12, item 8): someone without an account buys an eGift Card with
their name, email and phone and pays through the same cart and checkout; classes, camps and
parties still need an account, and a visitor never sees a page of a family."""

from decimal import Decimal

import pytest
from django.core import mail

from springboard.booking.models import CartItem, ItemKind
from springboard.checkout.models import Order, OrderStatus
from springboard.families.models import Family
from springboard.giftcards.models import GiftCard
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data
from tests.giftcards.conftest import buy_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "gift_config")]

VISITOR = {
    "buyer_name": "Pat Visitor",
    "buyer_email": "Pat@Example.com",
    "buyer_phone": "312 555 0142",
}


def test_a_visitor_buys_a_card_without_an_account(client, org, django_capture_on_commit_callbacks):
    page = client.get("/acme/egift-cards/").content.decode()
    assert 'name="buyer_email"' in page
    response = client.post("/acme/egift-cards/", buy_data(**VISITOR))
    assert response["Location"] == "/acme/cart/"
    guest = Family.objects.get(is_guest=True)
    assert (guest.name, guest.email) == ("Pat Visitor", "pat@example.com")
    assert not guest.guardians.exists()  # nobody can log into it
    cart = client.get("/acme/cart/")
    assert cart.status_code == 200 and "Sam Friend" in cart.content.decode()
    response = client.post("/acme/cart/checkout/start/")
    assert response["Location"] == "/acme/cart/checkout/"
    order = Order.objects.get(family=guest)
    assert client.get("/acme/cart/checkout/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.total == Decimal("50.00")
    assert GiftCard.objects.get().bought_by == guest
    assert {tuple(m.to) for m in mail.outbox} == {("pat@example.com",), ("sam@example.com",)}
    receipt = client.get(f"/acme/orders/{order.pk}/")
    assert 'data-testid="gift-code"' in receipt.content.decode()


def test_bad_input_from_a_visitor_makes_no_guest_family(client, org):
    for amount in ["5", "501", "abc", "10.005", "٣٠", "9" * 40, "-10", "1e3", ""]:
        response = client.post(
            "/acme/egift-cards/", buy_data(amount="other", other_amount=amount, **VISITOR)
        )
        assert response.status_code == 400, amount
    response = client.post("/acme/egift-cards/", buy_data(amount="77", **VISITOR))
    assert response.status_code == 400  # not one of the offered choices
    assert not Family.objects.filter(is_guest=True).exists()
    assert not CartItem.objects.exists()


def test_the_amount_messages_say_what_is_wrong(client, org):
    def error(amount):
        return client.post(
            "/acme/egift-cards/", buy_data(amount="other", other_amount=amount, **VISITOR)
        ).content.decode()

    assert "between $10.00 and $500.00" in error("501")
    assert "at most two decimals" in error("10.005")
    assert "in numbers" in error("abc")
    assert "in numbers" in error("٣٠")


def test_a_visitor_cannot_book_a_class_or_see_a_family_page(client, org, family):
    client.post("/acme/egift-cards/", buy_data(**VISITOR))
    course = catalog.course(org, capacity=4)
    response = client.post("/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk})
    assert response["Location"].startswith("/acme/login/")
    for url in ["/acme/account/", "/acme/account/payments/", "/acme/account/history/"]:
        assert client.get(url)["Location"].startswith("/acme/login/"), url
    other_order = Order.objects.filter(family=family[0]).first()
    assert other_order is None or client.get(f"/acme/orders/{other_order.pk}/").status_code == 404


def test_a_guest_familys_order_with_a_class_is_refused(client, org):
    """Even if a class hold reached a guest family's cart, checkout refuses it."""
    from django.utils import timezone

    client.post("/acme/egift-cards/", buy_data(**VISITOR))
    guest = Family.objects.get(is_guest=True)
    from tests import family_factories

    student = family_factories.student(guest)
    course = catalog.course(org, capacity=4)
    now = timezone.now()
    CartItem.objects.create(
        organization=org,
        family=guest,
        kind=ItemKind.COURSE,
        student=student,
        course=course,
        added_at=now,
        expires_at=now + timezone.timedelta(minutes=10),
    )
    response = client.post("/acme/cart/checkout/start/")
    assert response["Location"] == "/acme/cart/"
    assert not Order.objects.exists()


def test_another_visitor_does_not_share_the_cart(client, org, client_factory=None):
    from django.test import Client

    client.post("/acme/egift-cards/", buy_data(**VISITOR))
    stranger = Client()
    assert stranger.get("/acme/cart/")["Location"].startswith("/acme/login/")

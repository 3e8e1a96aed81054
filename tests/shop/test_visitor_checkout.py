"""Visitor checkout for ProShop (issue 12, item 8): someone without an account buys a
leotard with their name, email and phone, exactly as for an eGift Card (one guest family per
browser session), and pays through the same cart and checkout; classes still need an account
and a visitor never sees a page of a family."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from springboard.booking.models import CartItem, ItemKind
from springboard.checkout.models import Order, OrderStatus
from springboard.families.models import Family
from springboard.shop.models import Purchase
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data
from tests.giftcards.conftest import buy_data, gift_settings
from tests.shop import factories as shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

VISITOR = {
    "buyer_name": "Pat Visitor",
    "buyer_email": "Pat@Example.com",
    "buyer_phone": "312 555 0142",
}


def _add(client, product, size="M", **data):
    variant = shop.variant(product, size)
    return client.post(
        "/acme/cart/add/product/",
        {"product": product.pk, "variant": variant.pk, "quantity": "1", **data},
    )


def test_a_visitor_buys_a_leotard_and_gets_the_receipt(
    client, org, leotard, django_capture_on_commit_callbacks
):
    page = client.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert 'name="buyer_email"' in page and 'name="buyer_phone"' in page
    response = _add(client, leotard, **VISITOR)
    assert response["Location"] == "/acme/cart/", response.content.decode()[:2000]
    guest = Family.objects.get(is_guest=True)
    assert (guest.name, guest.email) == ("Pat Visitor", "pat@example.com")
    assert not guest.guardians.exists()
    assert CartItem.objects.get().family == guest
    cart = client.get("/acme/cart/")
    assert cart.status_code == 200 and "Leotard" in cart.content.decode()
    # Back on the product page the visitor is known: no details asked again, adds directly.
    again = client.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert 'name="buyer_email"' not in again
    response = _add(client, leotard, size="S")
    assert response["Location"] == "/acme/cart/"
    assert Family.objects.filter(is_guest=True).count() == 1
    assert CartItem.objects.filter(family=guest).count() == 2
    response = client.post("/acme/cart/checkout/start/")
    assert response["Location"] == "/acme/cart/checkout/"
    order = Order.objects.get(family=guest)
    assert order.total == Decimal("80.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Purchase.objects.filter(order_number=order.pk).count() == 2
    [receipt] = mail.outbox
    assert receipt.to == ["pat@example.com"] and "Leotard — M" in receipt.body
    assert "Leotard — M" in client.get(f"/acme/orders/{order.pk}/").content.decode()


def test_a_visitor_with_a_gift_card_guest_family_adds_a_product_directly(client, org, leotard):
    gift_settings(org)
    client.post("/acme/egift-cards/", buy_data(**VISITOR))
    response = _add(client, leotard)
    assert response["Location"] == "/acme/cart/"
    guest = Family.objects.get(is_guest=True)
    kinds = set(CartItem.objects.filter(family=guest).values_list("kind", flat=True))
    assert kinds == {ItemKind.GIFT_CARD, ItemKind.PRODUCT}


@pytest.mark.parametrize(
    "details",
    [
        {},
        {**VISITOR, "buyer_email": "not-an-email"},
        {**VISITOR, "buyer_name": ""},
        {**VISITOR, "buyer_phone": "call me"},
    ],
)
def test_bad_visitor_details_create_nothing(client, org, leotard, details):
    response = _add(client, leotard, **details)
    assert response.status_code == 400
    assert "Your email" in response.content.decode()  # the page again, with the fields
    assert not Family.objects.filter(is_guest=True).exists()
    assert not CartItem.objects.exists()


def test_a_bad_quantity_sold_out_size_or_gift_from_a_visitor_creates_nothing(client, org, leotard):
    page = f"/acme/proshop/{leotard.pk}/"
    bad = [
        ("M", {"quantity": "0"}),
        ("M", {"quantity": "abc"}),
        ("M", {"quantity": "99"}),
        ("L", {}),  # sold out
        ("M", {"gift": "1", "gift_name": "Sam", "gift_email": "nope"}),
    ]
    for size, data in bad:
        response = _add(client, leotard, size=size, **{**VISITOR, **data})
        assert response.status_code == 302 and response["Location"] == page, data
    cap = shop.product(org, title="Swim cap")
    response = client.post(
        "/acme/cart/add/product/",
        {"product": leotard.pk, "variant": shop.variant(cap).pk, "quantity": "1", **VISITOR},
    )
    assert response.status_code == 404  # a variant of another product
    assert not Family.objects.filter(is_guest=True).exists()
    assert not CartItem.objects.exists()
    assert 'name="buyer_email"' in client.get(page).content.decode()  # still not known


def test_a_visitor_still_cannot_add_a_class_or_see_a_family_page(client, org, family, leotard):
    _add(client, leotard, **VISITOR)
    course = catalog.course(org, capacity=4)
    response = client.post("/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk})
    assert response["Location"].startswith("/acme/login/")
    assert not CartItem.objects.filter(kind=ItemKind.COURSE).exists()
    for url in ["/acme/account/", "/acme/account/payments/", "/acme/account/history/"]:
        assert client.get(url)["Location"].startswith("/acme/login/"), url
    other_order = Order.objects.filter(family=family[0]).first()
    assert other_order is None or client.get(f"/acme/orders/{other_order.pk}/").status_code == 404
    assert Client().get("/acme/cart/")["Location"].startswith("/acme/login/")  # nobody else's


def test_a_logged_in_family_is_never_asked_for_visitor_details(logged_in, org, family, leotard):
    page = logged_in.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert 'name="buyer_email"' not in page
    assert _add(logged_in, leotard)["Location"] == "/acme/cart/"
    assert not Family.objects.filter(is_guest=True).exists()

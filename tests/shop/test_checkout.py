"""Buying through the one cart and checkout: the hold, the tax line, the pickup location,
the sold movement, the purchase to fulfil, the receipt and the gift email."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from springboard.billing.models import Charge, ChargeKind
from springboard.booking.models import CartItem
from springboard.checkout.models import Order, OrderStatus
from springboard.shop import services
from springboard.shop.models import MovementKind, Purchase, StockMovement
from tests.checkout.helpers import pay_data, start
from tests.shop import factories as shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _add(client, product, size="M", **data):
    variant = shop.variant(product, size)
    return client.post(
        "/acme/cart/add/product/",
        {"product": product.pk, "variant": variant.pk, "quantity": "1", **data},
    )


def test_a_family_buys_a_leotard_with_tax_and_picks_it_up(
    logged_in, org, family, leotard, django_capture_on_commit_callbacks
):
    shop.tax(org, "8.25")
    response = _add(logged_in, leotard, quantity="2")
    assert response["Location"] == "/acme/cart/"
    cart = logged_in.get("/acme/cart/").content.decode()
    assert "Leotard" in cart and "pick up at Main" in cart and 'data-testid="countdown"' in cart
    item = CartItem.objects.get()
    assert item.quantity == 2
    hold = timedelta(minutes=org.portal_settings.cart_hold_minutes)
    assert item.expires_at - item.added_at == hold  # the same timer as a seat
    order = start(logged_in)
    lines = list(order.lines.order_by("position"))
    assert [(line.kind, line.amount) for line in lines] == [
        (ChargeKind.PRODUCT, Decimal("80.00")),
        (ChargeKind.TAX, Decimal("6.60")),
    ]
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert "Sales tax on Leotard" in page
    assert 'data-testid="pickup"' in page and "At the front desk of Main" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.total == Decimal("86.60")
    assert Charge.objects.filter(kind=ChargeKind.TAX).get().amount == Decimal("6.60")
    purchase = Purchase.objects.get()
    assert (purchase.quantity, purchase.order_number, purchase.location.name) == (
        2,
        order.pk,
        "Main",
    )
    sold = StockMovement.objects.get(kind=MovementKind.SOLD)
    assert sold.quantity == -2 and sold.purchase == purchase
    assert services.on_hand(shop.variant(leotard), purchase.location) == 1
    [receipt] = mail.outbox
    assert "Leotard — M" in receipt.body and "Sales tax on Leotard" in receipt.body
    detail = logged_in.get(f"/acme/orders/{order.pk}/").content.decode()
    assert "Leotard — M" in detail and "At the front desk of Main" in detail
    account = logged_in.get("/acme/account/").content.decode()
    assert 'data-testid="to-pick-up"' in account
    services.mark_picked_up(purchase=purchase, actor=None, now=order.confirmed_at)
    assert 'data-testid="picked-up"' in logged_in.get("/acme/account/").content.decode()


def test_a_product_with_its_own_rate_and_one_not_taxable(logged_in, org, family, leotard):
    shop.tax(org, "10")
    cap = shop.product(org, title="Swim cap", price="9.99", sizes=("One size",), tax_rate="5")
    bottle = shop.product(org, title="Bottle", price="12.00", sizes=("Blue",), taxable=False)
    _add(logged_in, cap, "One size")
    _add(logged_in, bottle, "Blue")
    order = start(logged_in)
    amounts = [(line.kind, line.amount) for line in order.lines.order_by("position")]
    # 5% of 9.99 = 0.4995 → 0.50 (half-up per line); the bottle has no tax line.
    assert amounts == [
        (ChargeKind.PRODUCT, Decimal("9.99")),
        (ChargeKind.TAX, Decimal("0.50")),
        (ChargeKind.PRODUCT, Decimal("12.00")),
    ]


def test_a_gift_emails_the_recipient_that_it_waits_at_the_front_desk(
    logged_in, org, family, leotard, django_capture_on_commit_callbacks
):
    _add(logged_in, leotard, gift="1", gift_name="Ana", gift_email="ana@example.com")
    order = start(logged_in)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert Order.objects.get().status == OrderStatus.CONFIRMED
    gift = next(m for m in mail.outbox if m.to == ["ana@example.com"])
    assert "front desk of Main" in gift.body and "Leotard — M" in gift.body
    assert Purchase.objects.get().gift_recipient_name == "Ana"


def test_a_gift_needs_a_name_and_a_valid_email(logged_in, leotard):
    response = _add(logged_in, leotard, gift="1", gift_name="Ana", gift_email="not-an-email")
    assert response.status_code == 302
    assert not CartItem.objects.exists()


def test_an_expired_order_does_not_sell_and_releases_its_units(logged_in, org, leotard, clock):
    _add(logged_in, leotard, quantity="3")
    order = start(logged_in)
    page = logged_in.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert page.count("Sold out") == 2  # M kept by the pending order, L never stocked
    clock.shift(timedelta(minutes=20))
    page = logged_in.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert page.count("Sold out") == 1 and "Only 3 left" in page
    assert not StockMovement.objects.filter(kind=MovementKind.SOLD).exists()
    # The sweep has not run: reads never wait for it.
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING

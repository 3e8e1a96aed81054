"""The edges a product shares with a seat: a payment answering after the window sells only
units still there (else the payment is kept as credit, never oversold), and an expired
product line can be added again with its own choices."""

from datetime import timedelta
from decimal import Decimal

import pytest

from springboard.billing import balances
from springboard.billing.models import Charge, Payment
from springboard.booking.models import CartItem, HoldStatus
from springboard.booking.products import add_product
from springboard.checkout.models import OrderStatus
from springboard.shop import stock
from springboard.shop.models import MovementKind, Purchase, StockMovement
from tests import family_factories
from tests.checkout.helpers import pay_data, start
from tests.checkout.test_late_confirmation import _messages, _slow_gateway
from tests.shop import factories as shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def last_cap(org, proshop):
    return shop.product(org, title="Swim cap", price="10.00", sizes=("Blue",), stock=1)


def _hold(client, product):
    variant = product.variants.get()
    response = client.post(
        "/acme/cart/add/product/", {"product": product.pk, "variant": variant.pk, "quantity": "1"}
    )
    assert response["Location"] == "/acme/cart/"
    return variant


def test_a_unit_sold_while_a_late_payment_was_thinking_is_kept_as_credit(
    logged_in, org, family, clock, monkeypatch, last_cap
):
    fam, _kid = family
    variant = _hold(logged_in, last_cap)
    order = start(logged_in)
    late = order.expires_at + timedelta(minutes=1)
    rival = family_factories.family(org, last_name="Rival")
    location = org.location_set.get()

    def rival_buys():  # the window has passed: the last cap is free for the rival
        add_product(family=rival, variant=variant, location=location, quantity=1, now=late)

    _slow_gateway(monkeypatch, clock, late, rival_buys)
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order), follow=True)
    assert response.status_code == 200
    assert "kept as credit" in _messages(response)
    assert stock.units_left(variant.pk, location_id=location.pk, now=late) == 0  # not -1
    assert not Purchase.objects.exists()
    assert not StockMovement.objects.filter(kind=MovementKind.SOLD).exists()
    assert balances.credit(fam) == Payment.objects.get(family=fam).amount == Decimal("10.00")
    assert not Charge.objects.exists()
    order.refresh_from_db()
    assert order.status != OrderStatus.CONFIRMED


def test_a_late_payment_still_sells_when_the_unit_is_still_there(
    logged_in, org, family, clock, monkeypatch, last_cap
):
    _hold(logged_in, last_cap)
    order = start(logged_in)
    _slow_gateway(monkeypatch, clock, order.expires_at + timedelta(minutes=1))
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    assert Purchase.objects.get().quantity == 1


def test_an_expired_product_line_can_be_added_again(logged_in, org, clock, last_cap):
    _hold(logged_in, last_cap)
    clock.shift(timedelta(minutes=org.portal_settings.cart_hold_minutes + 1))
    cart = logged_in.get("/acme/cart/").content.decode()
    assert 'data-testid="expired-item"' in cart and 'data-testid="add-again"' in cart
    expired = CartItem.objects.get()
    response = logged_in.post("/acme/cart/add/again/", {"item": expired.pk})
    assert response["Location"] == "/acme/cart/"
    again = CartItem.objects.exclude(pk=expired.pk).get()
    assert (again.variant, again.quantity, again.status) == (
        expired.variant,
        1,
        HoldStatus.ACTIVE,
    )


def test_removing_a_product_line_gives_the_units_back(logged_in, org, last_cap):
    variant = _hold(logged_in, last_cap)
    item = CartItem.objects.get()
    logged_in.post("/acme/cart/remove/", {"item": item.pk})
    location = org.location_set.get()
    assert stock.units_left(variant.pk, location_id=location.pk, now=item.added_at) == 1

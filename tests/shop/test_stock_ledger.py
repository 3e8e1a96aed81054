"""The stock ledger: on hand is the sum of movements, never edited; availability subtracts
unexpired holds and pending orders at the caller's `now`."""

from datetime import timedelta

import pytest

from springboard.booking.locking import BookingError
from springboard.booking.models import HoldStatus
from springboard.booking.products import add_product
from springboard.checkout import services as checkout
from springboard.shop import services, stock
from springboard.shop.models import MovementKind, PostedError, StockMovement
from tests import family_factories
from tests.booking.conftest import NOW
from tests.shop import factories as shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def main(org):
    return org.location_set.get()


@pytest.fixture
def leotard(org, main):
    return shop.product(org, location=main, title="Leotard", stock={"S": 1, "M": 3})


def left(variant, location, now=NOW):
    return stock.units_left(variant.pk, location_id=location.pk, now=now)


def test_on_hand_is_the_sum_of_received_sold_returned_and_corrected(org, main, leotard):
    medium = shop.variant(leotard)
    for kind, units in [
        (MovementKind.SOLD, 2),
        (MovementKind.RETURNED, 1),
        (MovementKind.CORRECTED, -1),
    ]:
        services.post_movement(variant=medium, location=main, kind=kind, quantity=units, now=NOW)
    assert services.on_hand(medium, main) == 3 - 2 + 1 - 1
    assert left(medium, main) == 1
    kinds = list(StockMovement.objects.filter(variant=medium).values_list("quantity", flat=True))
    assert sorted(kinds) == [-2, -1, 1, 3]


def test_a_movement_is_never_edited_or_deleted(leotard):
    movement = StockMovement.objects.first()
    movement.quantity = 100
    with pytest.raises(PostedError):
        movement.save()
    with pytest.raises(PostedError):
        movement.delete()
    with pytest.raises(PostedError):
        StockMovement.objects.all().update(quantity=0)
    with pytest.raises(PostedError):
        StockMovement.objects.all().delete()


def test_stock_is_per_location(org, main, leotard):
    elsewhere = shop_location = org.location_set.create(
        name="North", address_line1="1 North St", city="Springfield"
    )
    assert left(shop.variant(leotard), shop_location) == 0
    shop.receive(shop.variant(leotard), elsewhere, 7)
    assert left(shop.variant(leotard), elsewhere) == 7
    assert left(shop.variant(leotard), main) == 3


def test_a_hold_takes_units_until_it_expires(org, main, leotard):
    family = family_factories.family(org)
    medium = shop.variant(leotard)
    item = add_product(family=family, variant=medium, location=main, quantity=2, now=NOW)
    assert left(medium, main) == 1
    assert left(medium, main, now=item.expires_at) == 3  # expired at read, sweep or not
    with pytest.raises(BookingError, match="Only 1"):
        add_product(family=family, variant=medium, location=main, quantity=2, now=NOW)


def test_a_pending_order_keeps_its_units_and_a_paid_one_sells_them(org, main, leotard):
    family = family_factories.family(org)
    medium = shop.variant(leotard)
    add_product(family=family, variant=medium, location=main, quantity=3, now=NOW)
    order = checkout.start_checkout(family=family, user=None, now=NOW)
    assert order.items.get().cart_item.status == HoldStatus.CONVERTED
    assert left(medium, main) == 0  # the order keeps them inside its window
    assert left(medium, main, now=order.expires_at + timedelta(seconds=1)) == 3
    checkout.confirm(
        order=order,
        payment=None,
        credit=0,
        request=checkout.PayRequest(attempt=1),
        user=None,
        now=NOW,
    )
    assert services.on_hand(medium, main) == 0
    assert left(medium, main, now=order.expires_at + timedelta(days=1)) == 0
    sold = StockMovement.objects.get(kind=MovementKind.SOLD)
    assert sold.quantity == -3 and sold.purchase.order_number == order.pk


def test_the_badge_says_sold_out_or_how_few_are_left():
    assert str(stock.badge(0)) == "Sold out"
    assert str(stock.badge(-1)) == "Sold out"
    assert str(stock.badge(2)) == "Only 2 left"
    assert stock.badge(10) == ""


def test_mark_picked_up_records_who_and_when_once(org, main, leotard):
    from tests import factories

    family = family_factories.family(org)
    purchase = services.record_sale(
        family=family,
        variant=shop.variant(leotard),
        location=main,
        quantity=1,
        unit_price=leotard.price,
        order_number=1,
        now=NOW,
    )
    staff = factories.staff_user(org)
    assert services.mark_picked_up(purchase=purchase, actor=staff, now=NOW)
    assert not services.mark_picked_up(purchase=purchase, actor=staff, now=NOW + timedelta(1))
    purchase.refresh_from_db()
    assert purchase.picked_up_at == NOW and purchase.picked_up_by == staff

"""What checkout does with ProShop lines (docs/shop.md), kept beside the checkout sequence so
services.py only calls it: the pricing item, the units to lock and re-check, the sale."""

from datetime import datetime

from django.utils.translation import gettext as _

from springboard.booking.models import CartItem, ItemKind
from springboard.catalog.models import Course, EventDay, PartySlot
from springboard.checkout import pricing
from springboard.checkout.errors import CheckoutError, NotBookable
from springboard.shop import services as shop_services
from springboard.shop import stock
from springboard.shop.models import Purchase, Variant

# What checkout's select_related adds for product lines (held items / an order's items).
RELATED = ("variant__product", "location")


def pricing_item(item: CartItem) -> pricing.ProductItem:
    return pricing.ProductItem(
        variant=item.variant,
        quantity=item.quantity or 1,
        location=item.location,
        gift_recipient_name=item.gift_recipient_name,
    )


def sold_units(cart_items) -> dict[tuple[int, int], int]:
    """(variant, location) -> units, for the product lines among `cart_items`."""
    units: dict[tuple[int, int], int] = {}
    for item in cart_items:
        if item.kind == ItemKind.PRODUCT:
            key = (item.variant_id, item.location_id)
            units[key] = units.get(key, 0) + (item.quantity or 1)
    return units


def lock_groups(courses, days, slots, units) -> list:
    """The fixed order of every checkout lock: courses, event days, party slots, variants."""
    variants = [variant for variant, _location in units]
    return [(Course, courses), (EventDay, days), (PartySlot, slots), (Variant, variants)]


def check_not_oversold(units, *, now: datetime) -> None:
    try:
        stock.check_not_oversold(units, now=now)
    except stock.StockError as error:
        raise CheckoutError(error.message + " " + _("Remove it from the cart.")) from None


def check_still_free(units, *, now: datetime) -> None:
    try:
        stock.check_still_free(units, now=now)
    except stock.StockError as error:
        raise NotBookable(error.message) from None


def book(item: CartItem, order, now: datetime) -> Purchase:
    """The paid line: the purchase to fulfil and the sold movement (shop.services)."""
    return shop_services.record_sale(
        family=order.family,
        variant=item.variant,
        location=item.location,
        quantity=item.quantity or 1,
        unit_price=item.variant.unit_price,
        order_number=order.pk,
        now=now,
        gift_name=item.gift_recipient_name,
        gift_email=item.gift_recipient_email,
    )

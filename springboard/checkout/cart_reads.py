"""What the cart and checkout read before anything is sold (split from checkout.services,
which re-exports these names): the family's open order, its held items with what pricing them
reads, and their prices through the pricing service (pricing.quote).

`cart_discounts` takes the held items the caller already has, so the cart page reads them
once (issue 17, item 3: each read of them with its related rows costs ~4 ms of CPU).
"""

import zoneinfo
from datetime import datetime

from django.db.models import prefetch_related_objects
from django.utils import timezone

from springboard.booking.models import CartItem, ItemKind
from springboard.checkout import discounts, gift_cards, pricing
from springboard.checkout import products as shop_lines
from springboard.checkout.models import Order
from springboard.core.prepared import Prepared


def _open_orders(organization_id: int, family_id: int, now: datetime):
    return (
        Order.objects.filter(organization_id=organization_id, family_id=family_id)
        .keeping_seats(now)
        .order_by("-created_at", "-id")[:1]
    )


# The cart, checkout and the pay page each read these: compiled once per process, each call
# binds the family and `now` (core.prepared; docs/performance.md, "third pass: reads").
_OPEN_ORDER = Prepared(_open_orders)


def open_order(family, now: datetime) -> Order | None:
    """The family's order that is pending and inside its payment window (checked on read)."""
    found = _OPEN_ORDER(organization_id=family.organization_id, family_id=family.pk, now=now)
    if not found:
        return None
    order = found[0]
    order.family = family  # the rows the request has already (no query to reach them)
    order.organization = family.organization
    return order


def _local_today(cart_items, organization, now: datetime):
    for item in cart_items:
        sold = item.course or item.event or item.party_slot
        location = item.location if item.kind == ItemKind.PRODUCT else None
        location = location or (sold.location if sold is not None else None)
        if location is None:  # an eGift Card has no location
            continue
        return timezone.localtime(now, zoneinfo.ZoneInfo(location.time_zone)).date()
    return timezone.localdate(now)


def pricing_item(item: CartItem):
    if item.kind == ItemKind.PRODUCT:
        return shop_lines.pricing_item(item)
    if item.kind == ItemKind.GIFT_CARD:
        return gift_cards.GiftCardItem(purchase=item.gift_card_purchase)
    if item.kind == ItemKind.COURSE:
        return pricing.CourseItem(course=item.course, student=item.student)
    if item.kind == ItemKind.EVENT:
        days = tuple(sorted((d.event_day for d in item.days.all()), key=lambda d: d.date))
        return pricing.EventItem(
            event=item.event, student=item.student, days=days, whole_event=item.whole_event
        )
    add_ons = tuple(line.add_on for line in item.add_ons.all() for _n in range(line.quantity))
    honour = item.guest_of_honour
    return pricing.PartyItem(
        package=item.party_package,
        slot=item.party_slot,
        guests=item.guest_count or 1,
        add_ons=add_ons,
        student=honour,
    )


PRICING_RELATED = (
    "student",
    "course__term",
    "course__location",
    "event__location",
    "party_slot__location",
    "party_package",
    "guest_of_honour",
    *shop_lines.RELATED,
    "gift_card_purchase",
)


def with_pricing_rows(cart_items):
    """Cart items with what pricing them reads fetched alongside (one place: the cart's holds
    and a pending order's items are priced alike)."""
    return cart_items.select_related(*PRICING_RELATED).prefetch_related(
        "days__event_day", "add_ons__add_on"
    )


def _held(organization_id: int, family_id: int, now: datetime):
    return (
        CartItem.objects.filter(organization_id=organization_id, family_id=family_id)
        .holding(now)
        .select_related(*PRICING_RELATED)
        .order_by("added_at", "id")
    )


_HELD = Prepared(_held)


def held_items(family, now: datetime) -> list[CartItem]:
    """The family's held cart items with what pricing them reads (with_pricing_rows): one
    query compiled once per process, plus the camp days of camp items and the add-ons of
    party items only when the cart has them."""
    items = _HELD(organization_id=family.organization_id, family_id=family.pk, now=now)
    for item in items:
        item.family = family
    camps = [item for item in items if item.kind == ItemKind.EVENT]
    if camps:
        prefetch_related_objects(camps, "days__event_day")
    parties = [item for item in items if item.kind == ItemKind.PARTY]
    if parties:
        prefetch_related_objects(parties, "add_ons__add_on")
    return items


def price_items(cart_items, *, family, now: datetime, promo=None):
    """(cart item or None, PriceLine) pairs, through the pricing service (pricing.quote, which
    applies the discounts): each item's own lines and their discount lines, then the fees."""
    organization = family.organization
    today = _local_today(cart_items, organization, now)
    items = [pricing_item(item) for item in cart_items]
    priced = pricing.quote(
        items, organization=organization, family=family, today=today, now=now, promo=promo
    )
    pairs = [
        (cart_items[line.item] if line.item is not None else None, line) for line in priced.lines
    ]
    return pairs, today


def cart_discounts(family, now: datetime, items: list[CartItem] | None = None) -> list:
    """The discount lines the family's held cart items would get at checkout (the cart's
    preview), priced the same way; nothing when the cart cannot be priced yet. `items`: the
    held items (held_items) when the caller has them already."""
    items = held_items(family, now) if items is None else items
    classes = any(item.kind == ItemKind.COURSE for item in items)
    if not items or not discounts.rules_may_apply(family.organization, classes=classes):
        return []  # nothing could be discounted: not priced (~1.5 ms of the cart page)
    try:
        pairs, _today = price_items(items, family=family, now=now)
    except pricing.PricingError:
        return []
    return [line for _item, line in pairs if line.kind == discounts.DISCOUNT]

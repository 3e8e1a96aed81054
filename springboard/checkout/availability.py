"""Pending orders take places: registered in springboard.catalog.availability's registries.

An order inside its payment window keeps the seats of its items (whose holds were converted
when the order was made). "Now" is read when the expression is built, so an order whose
window has ended (at the caller's `now`) stops counting at once, whether or not the sweep
has run.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery

from springboard.booking import models as booking_models
from springboard.booking.models import CartItem, CartItemDay, HoldStatus
from springboard.catalog import availability
from springboard.checkout.models import OrderStatus


def _count(queryset, group_by: str) -> Subquery:
    return Subquery(
        queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _pending(prefix: str, now: datetime) -> dict:
    return {
        f"{prefix}order_item__order__status": OrderStatus.PENDING,
        f"{prefix}order_item__order__expires_at__gt": now,
    }


def course_pending(now: datetime):
    return _count(CartItem.objects.filter(course=OuterRef("pk"), **_pending("", now)), "course")


def event_day_pending(now: datetime):
    return _count(
        CartItemDay.objects.filter(event_day=OuterRef("pk"), **_pending("cart_item__", now)),
        "event_day",
    )


def party_slot_pending(now: datetime):
    return _count(
        CartItem.objects.filter(party_slot=OuterRef("pk"), **_pending("", now)), "party_slot"
    )


def in_pending_order(now: datetime) -> Q:
    """Cart items converted into an order still inside its window: they keep their seat."""
    return Q(status=HoldStatus.CONVERTED, **_pending("", now))


def register() -> None:
    booking_models.STILL_KEEPING["checkout.pending_orders"] = in_pending_order
    availability.COURSE_PLACES_TAKEN["checkout.pending_orders"] = course_pending
    availability.EVENT_DAY_PLACES_TAKEN["checkout.pending_orders"] = event_day_pending
    availability.PARTY_SLOT_BOOKED["checkout.pending_orders"] = party_slot_pending

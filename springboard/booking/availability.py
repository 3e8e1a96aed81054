"""The places booking takes, registered in springboard.catalog.availability's registries.

Each function returns a Subquery counting, for `OuterRef("pk")`, the places taken now:
- courses: unexpired holds + enrollments holding their place (a drop frees it when it
  takes effect) + outstanding (unexpired) waitlist offers;
  and, promised rather than taken, the families waiting (COURSE_PLACES_PROMISED);
- event days: unexpired holds of the day + active registrations;
- party slots: unexpired holds + active bookings.
Each takes the caller's `now` (one clock), so an expired hold stops counting the moment it
expires, whether or not the sweep has run. Checkout adds pending orders here the same way.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum

from springboard.booking.models import (
    CartItem,
    CartItemDay,
    ChangeRequest,
    Enrollment,
    EventRegistration,
    HoldStatus,
    PartyBooking,
    WaitlistEntry,
    WaitlistStatus,
)
from springboard.catalog import availability
from springboard.shop import stock


def _count(queryset, group_by: str) -> Subquery:
    return Subquery(
        queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def course_holds(now: datetime):
    return _count(
        CartItem.objects.filter(course=OuterRef("pk")).holding(now).filter(kind="course"),
        "course",
    )


def course_enrollments(now: datetime):
    return _count(Enrollment.objects.filter(course=OuterRef("pk")).holding_place(now), "course")


def course_offers(now: datetime):
    return _count(
        WaitlistEntry.objects.filter(
            course=OuterRef("pk"), status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
        ),
        "course",
    )


def course_waiting(now: datetime):
    """Families waiting: seats promised to them, not openings for newcomers."""
    return _count(
        WaitlistEntry.objects.filter(course=OuterRef("pk"), status=WaitlistStatus.WAITING),
        "course",
    )


def event_day_holds(now: datetime):
    return _count(
        CartItemDay.objects.filter(
            event_day=OuterRef("pk"),
            cart_item__status=HoldStatus.ACTIVE,
            cart_item__expires_at__gt=now,
        ),
        "event_day",
    )


def event_day_registrations(now: datetime):
    return _count(
        EventRegistration.objects.filter(event_day=OuterRef("pk"), status="active"), "event_day"
    )


def party_slot_holds(now: datetime):
    return _count(CartItem.objects.filter(party_slot=OuterRef("pk")).holding(now), "party_slot")


def party_slot_bookings(now: datetime):
    return _count(PartyBooking.objects.filter(slot=OuterRef("pk"), status="active"), "slot")


def product_units_held(now: datetime, location_id: int, path: str):
    """Units of a variant (or of a product's variants) at a location kept by cart items:
    unexpired holds and, through CartItem.keeping, items of a pending order in its window."""
    return Subquery(
        CartItem.objects.filter(**{path: OuterRef("pk")}, location_id=location_id)
        .keeping(now)
        .order_by()
        .values(path)
        .annotate(n=Sum("quantity"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def register() -> None:
    stock.UNITS_HELD["booking.holds_and_pending_orders"] = product_units_held
    availability.COURSE_PLACES_TAKEN["booking.holds"] = course_holds
    availability.COURSE_PLACES_TAKEN["booking.enrollments"] = course_enrollments
    availability.COURSE_PLACES_TAKEN["booking.waitlist_offers"] = course_offers
    availability.COURSE_PLACES_TAKEN["booking.transfers"] = course_transfers_held
    availability.COURSE_PLACES_PROMISED["booking.waiting"] = course_waiting
    availability.EVENT_DAY_PLACES_TAKEN["booking.holds"] = event_day_holds
    availability.EVENT_DAY_PLACES_TAKEN["booking.registrations"] = event_day_registrations
    availability.PARTY_SLOT_BOOKED["booking.holds"] = party_slot_holds
    availability.PARTY_SLOT_BOOKED["booking.bookings"] = party_slot_bookings


def course_transfers_held(now: datetime):
    """Transfers into the course in their step or waiting for staff (change_models)."""
    return _count(
        ChangeRequest.objects.filter(to_course=OuterRef("pk")).holding_seat(now), "to_course"
    )

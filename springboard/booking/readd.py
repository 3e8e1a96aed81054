"""Items whose hold ran out: which are still open, and adding one again.

The cart lists recently expired items (services.recently_expired) and offers a "Add again"
button for each that is still open. Adding again goes through the normal booking services
(add_course / add_event / add_party) with the expired item's own choices, so every rule —
eligibility, conflicts, capacity, the family's own students — applies as for a new add.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from springboard.booking import products
from springboard.booking.locking import BookingError
from springboard.booking.models import CartItem, HoldStatus, ItemKind
from springboard.booking.services import PartyChoice, add_course, add_event, add_party
from springboard.catalog.availability import (
    course_openings,
    with_event_day_places_taken,
    with_party_slot_bookings,
)
from springboard.catalog.models import EventDay, PartySlot


def NOT_EXPIRED() -> str:  # noqa: N802 - a message, translated when raised
    return _("That item is not one whose time ran out; look at your cart again.")


def label(item: CartItem) -> str:
    """How the family knows the item: "Swim Level 1 (Mia)", "Summer camp (Leo)", a party."""
    if item.kind == ItemKind.PRODUCT:
        return str(item.variant)
    if item.kind == ItemKind.GIFT_CARD:
        return _("eGift Card for %(name)s") % {"name": item.gift_card_purchase.recipient_name}
    if item.kind == ItemKind.PARTY:
        return str(item.party_package)
    thing = item.course if item.kind == ItemKind.COURSE else item.event
    return f"{thing} ({item.student.first_name})" if item.student else str(thing)


def _same(item: CartItem, other: CartItem) -> bool:
    return (
        item.kind,
        item.student_id,
        item.course_id,
        item.event_id,
        item.party_slot_id,
        item.variant_id,
    ) == (
        other.kind,
        other.student_id,
        other.course_id,
        other.event_id,
        other.party_slot_id,
        other.variant_id,
    )


def _day_ids(item: CartItem) -> list[int]:
    return sorted(day.event_day_id for day in item.days.all())


def is_still_open(item: CartItem, *, now: datetime) -> bool:
    """A cheap look at whether adding the item again could succeed (the service decides)."""
    if item.kind == ItemKind.PRODUCT:
        return products.is_still_open(item, now=now)
    if item.kind == ItemKind.COURSE:
        return not course_openings(item.course, now=now).full
    if item.kind == ItemKind.EVENT:
        days = list(
            with_event_day_places_taken(
                EventDay.objects.filter(pk__in=_day_ids(item)).select_related("event"), now=now
            )
        )
        return bool(days) and all(day.places_left > 0 for day in days)
    if item.party_slot is None or item.party_slot.starts_at <= now:
        return False
    slot = with_party_slot_bookings(PartySlot.objects.filter(pk=item.party_slot_id), now=now)
    return not slot.get().bookings


def offers(expired, held, *, now: datetime) -> list[tuple[CartItem, bool]]:
    """(expired item, still open?) for the expired items not already back in the cart."""
    shown = []
    for item in expired:
        if any(_same(item, other) for other in [*held, *(i for i, _open in shown)]):
            continue
        shown.append((item, is_still_open(item, now=now)))
    return shown


def add_again(*, family, item: CartItem, now: datetime) -> list[CartItem]:
    """Hold an expired item again with its own choices, through the booking services."""
    if item.family_id != family.pk or item.status not in (HoldStatus.EXPIRED, HoldStatus.ACTIVE):
        raise BookingError(NOT_EXPIRED())
    if item.status == HoldStatus.ACTIVE and item.expires_at > now:
        raise BookingError(NOT_EXPIRED())
    if item.kind == ItemKind.PRODUCT:
        return [products.add_again(family=family, item=item, now=now)]
    if item.kind == ItemKind.COURSE:
        return add_course(family=family, students=[item.student], course=item.course, now=now)
    if item.kind == ItemKind.EVENT:
        days = list(EventDay.objects.filter(pk__in=_day_ids(item), event=item.event_id))
        return [
            add_event(
                family=family,
                student=item.student,
                event=item.event,
                days=days,
                whole=item.whole_event,
                now=now,
            )
        ]
    choice = PartyChoice(
        slot=item.party_slot,
        package=item.party_package,
        guest_count=item.guest_count or 0,
        add_ons={line.add_on: line.quantity for line in item.add_ons.all()},
        honour_student=item.guest_of_honour,
        honour_name=item.guest_of_honour_name,
    )
    return [add_party(family=family, choice=choice, now=now)]

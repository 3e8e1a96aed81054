"""The waiting room's database side: which opening a term's booking belongs to, and the
settings the cache-only status endpoint reads. Every function takes `now`."""

from datetime import datetime, timedelta

from django.core.cache import cache

from springboard.catalog.models import Term
from springboard.waitingroom.models import WaitingRoom
from springboard.waitingroom.rules import PREFIX, Rush


def settings_key(organization_id: int) -> str:
    return f"{PREFIX}:settings:{organization_id}"


def publish(room: WaitingRoom) -> None:
    """What the status endpoint needs without the database: the switch and the pace."""
    cache.set(
        settings_key(room.organization_id),
        {"on": room.is_on, "rate": room.admissions_per_minute, "pass": room.pass_minutes},
        24 * 3600,
    )


def published(organization_id: int) -> dict | None:
    return cache.get(settings_key(organization_id))


def room_of(organization) -> WaitingRoom | None:
    return WaitingRoom.objects.for_organization(organization).first()


def in_rush(room: WaitingRoom, opens_at: datetime, *, now: datetime) -> bool:
    before = opens_at - timedelta(minutes=room.opens_window_minutes)
    return before <= now < opens_at + timedelta(minutes=room.rush_minutes)


def rush_of(room: WaitingRoom, opens_at: datetime) -> Rush:
    return Rush(
        organization_id=room.organization_id,
        opens_at=opens_at,
        admissions_per_minute=room.admissions_per_minute,
        pass_minutes=room.pass_minutes,
        rush_minutes=room.rush_minutes,
    )


def rush_for_term(organization, term: Term, *, now: datetime) -> Rush | None:
    """The opening a booking of this term waits for now; None when there is no gate."""
    room = room_of(organization)
    if room is None or not room.is_on or not in_rush(room, term.enrollment_opens_at, now=now):
        return None
    return rush_of(room, term.enrollment_opens_at)


def current_rush(organization, *, now: datetime, term_id: int | None = None):
    """(room, rush, terms) of the opening in its window now (the given term's, else the
    soonest); (room, None, []) when there is none or the room is off."""
    room = room_of(organization)
    if room is None:
        return None, None, []
    publish(room)
    if not room.is_on:
        return room, None, []
    window_start = now - timedelta(minutes=room.rush_minutes)
    window_end = now + timedelta(minutes=room.opens_window_minutes)
    terms = Term.objects.for_organization(organization).filter(
        enrollment_opens_at__gt=window_start, enrollment_opens_at__lte=window_end
    )
    chosen = None
    if term_id is not None:
        chosen = terms.filter(pk=term_id).first()
    if chosen is None:
        chosen = terms.order_by("enrollment_opens_at").first()
    if chosen is None:
        return room, None, []
    opening = [t for t in terms if t.enrollment_opens_at == chosen.enrollment_opens_at]
    return room, rush_of(room, chosen.enrollment_opens_at), opening

"""The waiting room's database side: which opening a term's booking belongs to, and the
settings the cache-only status endpoint reads. Every function takes `now`."""

from datetime import datetime, timedelta

from springboard.catalog.models import Term
from springboard.waitingroom import passes, published
from springboard.waitingroom.models import WaitingRoom
from springboard.waitingroom.rules import Rush


def room_settings(organization) -> dict:
    """The published settings (no query when cached)."""
    value = published.published(organization.pk)
    if value is None:
        value = published.publish(organization.pk, room_of(organization))
    return value


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
    """The opening a booking of this term waits for now; None when there is no gate.
    Reads the published settings: no query once they are in the cache."""
    room = room_settings(organization)
    if not room["on"]:
        return None
    opens_at = term.enrollment_opens_at
    before = opens_at - timedelta(minutes=room["before"])
    if not before <= now < opens_at + timedelta(minutes=room["after"]):
        return None
    return Rush(
        organization_id=organization.pk,
        opens_at=opens_at,
        admissions_per_minute=room["rate"],
        pass_minutes=room["pass"],
        rush_minutes=room["after"],
    )


def current_rush(organization, *, now: datetime, term_id: int | None = None):
    """(room, rush, terms) of the opening in its window now (the given term's, else the
    soonest); (room, None, []) when there is none or the room is off."""
    room = room_of(organization)
    published.publish(organization.pk, room)
    if room is None:
        return None, None, []
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


def may_book(organization, term: Term, *, pass_value: str | None, waiter: str | None, now):
    """Whether booking this term's classes is open to this visitor now: outside the term's
    opening always; during it only with a valid pass (portal/waiting.py and the API ask
    here). A genuine pass of another organization raises passes.OtherOrganization."""
    rush = rush_for_term(organization, term, now=now)
    if rush is None:
        return True
    return passes.pass_is_valid(pass_value, rush, waiter=waiter, now=now)

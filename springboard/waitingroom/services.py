"""The waiting room's database side: which opening a term's booking belongs to, and the
settings the cache-only status endpoint reads. Every function takes `now`. The gate and the
waiting page read the published settings (published.py: no query once cached), never the
WaitingRoom row; staff's admin gives its row's."""

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
    return in_window(published.settings_of(room), opens_at, now=now)


def rush_of(room: WaitingRoom, opens_at: datetime) -> Rush:
    return rush_from(room.organization_id, published.settings_of(room), opens_at)


def in_window(settings: dict, opens_at: datetime, *, now: datetime) -> bool:
    """Whether an opening at `opens_at` is in the room's window now (published settings)."""
    before = opens_at - timedelta(minutes=settings["before"])
    return before <= now < opens_at + timedelta(minutes=settings["after"])


def rush_from(organization_id: int, settings: dict, opens_at: datetime) -> Rush:
    return Rush(
        organization_id=organization_id,
        opens_at=opens_at,
        admissions_per_minute=settings["rate"],
        pass_minutes=settings["pass"],
        rush_minutes=settings["after"],
    )


def rush_for_term(organization, term: Term, *, now: datetime) -> Rush | None:
    """The opening a booking of this term waits for now; None when there is no gate.
    Reads the published settings: no query once they are in the cache."""
    room = room_settings(organization)
    if not room["on"] or not in_window(room, term.enrollment_opens_at, now=now):
        return None
    return rush_from(organization.pk, room, term.enrollment_opens_at)


def current_rush(
    organization, *, now: datetime, term_id: int | None = None, settings: dict | None = None
) -> tuple[Rush | None, list[Term]]:
    """(rush, terms) of the opening in its window now (the given term's, else the soonest)
    and its terms; (None, []) when there is none or the room is off. Reads the published
    settings (or the `settings` given) and the window's terms in one query."""
    room = room_settings(organization) if settings is None else settings
    if not room["on"]:
        return None, []
    window = Term.objects.for_organization(organization).filter(
        enrollment_opens_at__gt=now - timedelta(minutes=room["after"]),
        enrollment_opens_at__lte=now + timedelta(minutes=room["before"]),
    )
    terms = list(window.order_by("enrollment_opens_at", "start_date", "name", "id"))
    chosen = next((t for t in terms if t.pk == term_id), terms[0] if terms else None)
    if chosen is None:
        return None, []
    opening = [t for t in terms if t.enrollment_opens_at == chosen.enrollment_opens_at]
    return rush_from(organization.pk, room, chosen.enrollment_opens_at), opening


def may_book(organization, term: Term, *, pass_value: str | None, waiter: str | None, now):
    """Whether booking this term's classes is open to this visitor now: outside the term's
    opening always; during it only with a valid pass (portal/waiting.py and the API ask
    here). A genuine pass of another organization raises passes.OtherOrganization."""
    rush = rush_for_term(organization, term, now=now)
    if rush is None:
        return True
    return passes.pass_is_valid(pass_value, rush, waiter=waiter, now=now)

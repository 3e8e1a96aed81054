"""The public catalogue: what a visitor of the portal sees, with the same openings rule
(catalog.availability) and the same lists (catalog.listing)."""

from datetime import date, timedelta

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import HttpError

from springboard.api import present, schemas, throttles
from springboard.api.schemas import ID_PATTERN
from springboard.catalog import listing
from springboard.catalog.availability import (
    with_course_places_taken,
    with_event_day_places_taken,
)
from springboard.catalog.models import Course, EventDay, PartyPackage
from springboard.catalog.schedule import closures_for, meetings
from springboard.content.models import NewsItem
from springboard.core.clock import today_in
from springboard.core.parsing import parse_id
from springboard.tenancy.models import Location

router = Router(tags=["catalogue"])

ERRORS = {400: schemas.Error, 404: schemas.Error, 422: schemas.Error, 429: schemas.Error}
MAX_PAGE = 100
MEETINGS_SHOWN = 30
FURTHEST_AHEAD = timedelta(days=2 * 366)
IdQuery = Query(None, pattern=ID_PATTERN)
DateQuery = Query(None, alias="date", description="YYYY-MM-DD; default today")


def _location(request, raw: str | None) -> Location | None:
    """?location=<id> of this organization (another's → 404), else its first location."""
    locations = Location.objects.for_organization(request.organization)
    if raw is not None:
        return get_object_or_404(locations, pk=parse_id(raw))
    return locations.first()


def _today(request, location) -> date:
    zone = location.time_zone if location else request.organization.time_zone
    return today_in(zone, request.now)


@router.get("/{account}/locations", response={200: list[schemas.Location], **ERRORS})
def locations(request):
    throttles.check(request)
    return list(Location.objects.for_organization(request.organization))


@router.get("/{account}/terms", response={200: list[schemas.Term], **ERRORS})
def terms(request):
    """Terms shown on the web and not over yet, soonest first."""
    throttles.check(request)
    return listing.listed_terms(request.organization, _today(request, None))


@router.get("/{account}/classes", response={200: schemas.CoursePage, **ERRORS})
def classes(
    request,
    term: str | None = IdQuery,
    location: str | None = IdQuery,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(24, ge=1, le=MAX_PAGE),
):
    """A term's classes at a location in timetable order, each with its live openings (the
    classes page's list). Defaults: the first listed term, the first location."""
    throttles.check(request)
    where = _location(request, location)
    listed = listing.listed_terms(request.organization, _today(request, where))
    chosen = listed[0] if listed else None
    if term is not None:
        wanted = parse_id(term)
        chosen = next((t for t in listed if t.pk == wanted), None)
        if chosen is None:
            raise HttpError(404, _("No such term."))
    if chosen is None or where is None:
        return {"count": 0, "term_id": None, "location_id": None, "results": []}
    queryset = listing.courses_of(
        request.organization, term=chosen, location=where, now=request.now
    )
    rows = list(queryset[offset : offset + limit])
    display = request.organization.portal_settings.openings_display
    return {
        "count": queryset.count(),
        "term_id": chosen.pk,
        "location_id": where.pk,
        "results": [present.course(row, now=request.now, display=display) for row in rows],
    }


@router.get("/{account}/classes/{course_id}", response={200: schemas.CourseDetail, **ERRORS})
def course_detail(request, course_id: str = Path(..., pattern=ID_PATTERN)):
    """One class with its openings and its next meetings (closures skipped)."""
    throttles.check(request)
    course = get_object_or_404(
        with_course_places_taken(
            Course.objects.for_organization(request.organization)
            .filter(shown_on_web=True)
            .select_related("program", "level", "term", "location"),
            now=request.now,
        ),
        pk=parse_id(course_id),
    )
    today = _today(request, course.location)
    closures = closures_for(request.organization, location_ids=[course.location_id])
    shown = []
    for starts, ends in meetings(course, closures, on_or_after=today):
        shown.append({"starts_at": starts, "ends_at": ends})
        if len(shown) == MEETINGS_SHOWN:
            break
    display = request.organization.portal_settings.openings_display
    return {**present.course(course, now=request.now, display=display), "meetings": shown}


@router.get("/{account}/camps", response={200: list[schemas.Camp], **ERRORS})
def camps(request, location: str | None = IdQuery):
    """Camps and events at a location with a day today or later, each day with its places
    left (the events page's list)."""
    throttles.check(request)
    where = _location(request, location)
    if where is None:
        return []
    today = _today(request, where)
    events = list(listing.events_at(request.organization, location=where, today=today)[:MAX_PAGE])
    days = with_event_day_places_taken(
        EventDay.objects.filter(date__gte=today).select_related("event"), now=request.now
    )
    prefetch_related_objects(events, Prefetch("days", queryset=days, to_attr="upcoming_days"))
    return [present.camp(event) for event in events]


@router.get("/{account}/parties", response={200: schemas.Parties, **ERRORS})
def parties(request, location: str | None = IdQuery, day: date | None = DateQuery):
    """Party packages, and the open slots of a day (default today) at a location."""
    throttles.check(request)
    where = _location(request, location)
    today = _today(request, where)
    chosen = day or today
    if not today <= chosen <= today + FURTHEST_AHEAD:
        raise HttpError(422, _("Choose a day from today up to two years ahead."))
    packages = PartyPackage.objects.for_organization(request.organization).filter(shown_on_web=True)
    slots = []
    if where is not None:
        slots = list(
            listing.open_party_slots(request.organization, where, day=chosen, now=request.now)
        )
    return {
        "location_id": where.pk if where else None,
        "date": chosen,
        "packages": [present.package(row) for row in packages],
        "open_slots": [
            {
                "id": slot.pk,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "room": slot.room,
                "package_ids": [p.pk for p in slot.packages.all()],
            }
            for slot in slots
        ],
    }


@router.get("/{account}/news", response={200: list[schemas.News], **ERRORS})
def news(request):
    """News published and not expired, newest first."""
    throttles.check(request)
    return list(NewsItem.objects.for_organization(request.organization).current(request.now)[:50])

"""Meeting dates, computed (never stored) from a course's weekdays, its term and closures.

Dates are local to the course's location: a 9:00 class meets at 9:00 wall-clock time on
both sides of a daylight-saving change, so its UTC instant moves by an hour.
"""

import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from springboard.catalog.models import Closure, Course
from springboard.core import versions


def _closures_version(organization_id: int) -> str:
    return f"v:closures:{organization_id}"


def closures_for(organization, *, location_ids: Iterable[int] | None = None) -> list[Closure]:
    """All closures that can affect courses of the organization (one query). With a shared
    cache, the organization's closures come from it, kept under a version that every save
    or delete of one of its closures bumps (core.versions; `closures_changed` after a
    queryset update), filtered here by location in the same order."""
    if versions.enabled():
        found = versions.read_through(
            f"closures:{organization.pk}",
            [_closures_version(organization.pk)],
            lambda: list(Closure.objects.for_organization(organization)),
        )
        if location_ids is None:
            return found
        wanted = set(location_ids)
        return [c for c in found if c.location_id is None or c.location_id in wanted]
    queryset = Closure.objects.for_organization(organization)
    if location_ids is not None:
        queryset = queryset.filter(Q(location__isnull=True) | Q(location__in=list(location_ids)))
    return list(queryset)


def closures_changed(organization_id: int) -> None:
    versions.bump(_closures_version(organization_id))


def _closure_saved(sender, instance, **_kwargs) -> None:
    closures_changed(instance.organization_id)


def connect() -> None:
    post_save.connect(_closure_saved, sender=Closure, dispatch_uid="closures-cache-save")
    post_delete.connect(_closure_saved, sender=Closure, dispatch_uid="closures-cache-delete")


def is_closed(day: date, location_id: int | None, closures: Iterable[Closure]) -> bool:
    return any(closure.covers(day, location_id) for closure in closures)


def meeting_dates(
    course: Course, closures: Iterable[Closure], *, on_or_after: date | None = None
) -> Iterator[date]:
    """The dates the course meets: its weekdays within its term, skipping closures."""
    closures = [c for c in closures if c.location_id in (None, course.location_id)]
    weekdays = set(course.weekdays)
    term = course.term
    day = max(term.start_date, on_or_after) if on_or_after else term.start_date
    while day <= term.end_date:
        if day.weekday() in weekdays and not is_closed(day, course.location_id, closures):
            yield day
        day += timedelta(days=1)


def first_meeting_on_or_after(
    course: Course, closures: Iterable[Closure], today: date
) -> date | None:
    return next(meeting_dates(course, closures, on_or_after=today), None)


def location_zone(course: Course) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(course.location.time_zone)


def meetings(
    course: Course, closures: Iterable[Closure], *, on_or_after: date | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Aware start/end datetimes of each meeting in the location's time zone."""
    zone = location_zone(course)
    for day in meeting_dates(course, closures, on_or_after=on_or_after):
        yield (
            datetime.combine(day, course.start_time, tzinfo=zone),
            datetime.combine(day, course.end_time, tzinfo=zone),
        )

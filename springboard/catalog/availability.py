"""Openings: capacity minus the places taken, computed when asked, never a stored counter.

Places are taken by things later issues add (active enrollments, unexpired cart holds,
pending orders). Each registers here an expression counting its places for `OuterRef("pk")`
of a course (or event day); the catalogue sums them in the same query that lists the courses,
so a page of courses costs no extra queries however many courses there are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Expression, F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from springboard.tenancy.models import OpeningsDisplay

# name -> function of `now` returning an expression (e.g. a Subquery counting enrollments of
# OuterRef("pk")). Registered by later apps: an explicit registry, not signals. `now` is the
# caller's moment (one clock: holds and offers count while they are unexpired at `now`).
PlacesTaken = Callable[[datetime], Expression]
COURSE_PLACES_TAKEN: dict[str, PlacesTaken] = {}
EVENT_DAY_PLACES_TAKEN: dict[str, PlacesTaken] = {}
PARTY_SLOT_BOOKED: dict[str, PlacesTaken] = {}


def _total(registry: dict[str, PlacesTaken], now: datetime) -> Expression:
    total: Expression = Value(0, output_field=IntegerField())
    for make in registry.values():
        total = total + Coalesce(make(now), Value(0), output_field=IntegerField())
    return total


def with_course_places_taken(queryset: QuerySet, *, now: datetime) -> QuerySet:
    """Courses annotated with `places_taken` (and `places_left`) at `now`."""
    return queryset.annotate(places_taken=_total(COURSE_PLACES_TAKEN, now)).annotate(
        places_left=F("capacity") - F("places_taken")
    )


def only_with_openings(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return with_course_places_taken(queryset, now=now).filter(places_left__gt=0)


def with_event_day_places_taken(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return queryset.annotate(places_taken=_total(EVENT_DAY_PLACES_TAKEN, now)).annotate(
        places_left=F("event__capacity_per_day") - F("places_taken")
    )


def with_party_slot_bookings(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return queryset.annotate(bookings=_total(PARTY_SLOT_BOOKED, now))


@dataclass(frozen=True)
class Openings:
    capacity: int
    taken: int
    waitlist_allowed: bool = False

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.left == 0

    def label(self, display: str) -> str:
        if self.full:
            return _("FULL — waitlist") if self.waitlist_allowed else _("FULL")
        if display == OpeningsDisplay.OPEN_FULL:
            return _("OPEN")
        return _("%(count)s openings") % {"count": self.left} if self.left != 1 else _("1 opening")


def course_openings(course, *, now: datetime) -> Openings:
    """Openings of a course annotated by with_course_places_taken (or of a bare course, for
    which it asks the database at `now`)."""
    taken = getattr(course, "places_taken", None)
    if taken is None:
        annotated = with_course_places_taken(
            type(course)._default_manager.filter(pk=course.pk), now=now
        )
        taken = annotated.values_list("places_taken", flat=True).first() or 0
    return Openings(course.capacity, taken, course.waitlist_allowed)

"""Openings: capacity minus the places taken, computed when asked, never a stored counter.

Places are taken by things later issues add (active enrollments, unexpired cart holds,
pending orders). Each registers here an expression counting its places for `OuterRef("pk")`
of a course (or event day); the catalogue sums them in the same query that lists the courses,
so a page of courses costs no extra queries however many courses there are.

The openings rule lives here and only here (docs/booking.md): a course's openings — what a
newcomer may book — are capacity − places taken − families waiting (COURSE_PLACES_PROMISED:
a seat that frees up is theirs first). `Openings.left` is that number; the classes list, the
"only with openings" filter, the detail badge, the add to cart and the waitlist all read it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Expression, F, IntegerField, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from springboard.catalog.models import Course
from springboard.core.prepared import Prepared, padded
from springboard.tenancy.models import OpeningsDisplay

# name -> function of `now` returning an expression (e.g. a Subquery counting enrollments of
# OuterRef("pk")). Registered by later apps: an explicit registry, not signals. `now` is the
# caller's moment (one clock: holds and offers count while they are unexpired at `now`).
PlacesTaken = Callable[[datetime], Expression]
COURSE_PLACES_TAKEN: dict[str, PlacesTaken] = {}
EVENT_DAY_PLACES_TAKEN: dict[str, PlacesTaken] = {}
PARTY_SLOT_BOOKED: dict[str, PlacesTaken] = {}
# Seats of a course promised to families waiting (the waitlist): not taken by anyone yet,
# but not an opening for a newcomer either.
COURSE_PLACES_PROMISED: dict[str, PlacesTaken] = {}


class Zero(Expression):
    """The integer 0 written into the SQL, not sent as a parameter: the openings sum has one
    per source, and psycopg re-parses on every execute a query with more than 50 parameters
    or over 4 KiB of SQL (its statement cache refuses them; docs/performance.md, "pagecost")."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection):
        return "0", []


def _total(registry: dict[str, PlacesTaken], now: datetime) -> Expression:
    total: Expression | None = None
    for make in registry.values():
        place = Coalesce(make(now), Zero(), output_field=IntegerField())
        total = place if total is None else total + place
    return Zero() if total is None else total


def with_course_places(queryset: QuerySet, *, now: datetime) -> QuerySet:
    """Courses annotated at `now` with `places_taken` (held, booked, in a pending order,
    offered) and `places_waiting` (families on the waitlist) only: each sum once in the SQL
    (`put_places_left` then gives the rest in Python). One query."""
    return queryset.annotate(
        places_taken=_total(COURSE_PLACES_TAKEN, now),
        places_waiting=_total(COURSE_PLACES_PROMISED, now),
    )


def put_places_left(course) -> None:
    """`places_left` and `openings_left` of a course annotated by `with_course_places`, as
    `with_course_places_taken` computes them in SQL."""
    course.places_left = course.capacity - course.places_taken
    course.openings_left = course.places_left - course.places_waiting


def with_course_places_taken(queryset: QuerySet, *, now: datetime) -> QuerySet:
    """Courses annotated at `now` with `places_taken` (held, booked, in a pending order,
    offered), `places_waiting` (families on the waitlist), `places_left` (capacity − taken:
    the seats nobody holds, which the waitlist is offered) and `openings_left` (places_left −
    waiting: what a newcomer may book, the number `course_openings` reports). One query; the
    SQL repeats the sums in each of the last two (a filter on `openings_left` needs them):
    a read that only shows them asks `with_course_places` instead."""
    return (
        with_course_places(queryset, now=now)
        .annotate(places_left=F("capacity") - F("places_taken"))
        .annotate(openings_left=F("places_left") - F("places_waiting"))
    )


def registries() -> tuple:
    """What the openings SQL is made of: a prepared read is compiled again if it changes."""
    return tuple(COURSE_PLACES_TAKEN.items()), tuple(COURSE_PLACES_PROMISED.items())


def _places_of(ids: tuple, now: datetime) -> QuerySet:
    # Unordered: openings_of answers a dict (the courses' default order is a sort by name).
    # No translated column is read: modeltranslation's rewriting off, so the rows are plain
    # values_list tuples that Prepared.rows reads straight from the cursor.
    courses = Course.objects.rewrite(False).filter(pk__in=ids).order_by()
    return with_course_places(courses, now=now).values_list(
        "pk", "capacity", "waitlist_allowed", "places_taken", "places_waiting"
    )


_PLACES_OF = Prepared(_places_of, key=registries)


def openings_of(course_ids, *, now: datetime) -> dict[int, "Openings"]:
    """{course id: Openings} read from the database at `now` (capacity included: under a
    course's lock this is the answer of that moment, never a row annotated earlier). One
    query, compiled once per process (core.prepared: building the openings SQL costs ~10x
    running it); only the courses of the current organization scope, as any read."""
    ids = padded(course_ids)
    if ids == ():
        return {}
    rows = (
        _PLACES_OF.rows(ids=ids, now=now) if ids is not None else _places_of(tuple(course_ids), now)
    )
    return {
        pk: Openings(capacity, taken, waitlist_allowed, waiting)
        for pk, capacity, waitlist_allowed, taken, waiting in rows
    }


def with_openings_of(courses: list, *, now: datetime) -> list:
    """Put on each of these courses the annotations with_course_places_taken would have
    (`places_taken`, `places_waiting`, `places_left`, `openings_left`) as the database answers
    at `now`: one prepared query for the lot (openings_of), so a list of courses filtered any
    way pays for the openings SQL once per process, not once per request."""
    found = openings_of([course.pk for course in courses], now=now)
    for course in courses:
        openings = found.get(course.pk)
        course.places_taken = openings.taken if openings else 0
        course.places_waiting = openings.waiting if openings else 0
        put_places_left(course)
    return courses


def openings_now(course_id: int, *, now: datetime) -> "Openings":
    """The course's openings asked of the database at `now` (Course.DoesNotExist if it is not
    the organization's)."""
    found = openings_of([course_id], now=now).get(course_id)
    if found is None:
        raise Course.DoesNotExist
    return found


def only_with_openings(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return with_course_places_taken(queryset, now=now).filter(openings_left__gt=0)


def with_event_day_places_taken(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return queryset.annotate(places_taken=_total(EVENT_DAY_PLACES_TAKEN, now)).annotate(
        places_left=F("event__capacity_per_day") - F("places_taken")
    )


def with_party_slot_bookings(queryset: QuerySet, *, now: datetime) -> QuerySet:
    return queryset.annotate(bookings=_total(PARTY_SLOT_BOOKED, now))


@dataclass(frozen=True)
class Openings:
    """The one answer to "how many openings?" (see the module's docstring)."""

    capacity: int
    taken: int
    waitlist_allowed: bool = False
    waiting: int = 0  # families on the waitlist: a seat that frees up is theirs first

    @property
    def left(self) -> int:
        """What a newcomer may book: capacity − taken − families waiting."""
        return max(self.capacity - self.taken - self.waiting, 0)

    @property
    def unheld(self) -> int:
        """Seats nobody holds (capacity − taken): what the waitlist is offered."""
        return max(self.capacity - self.taken, 0)

    @property
    def oversold(self) -> bool:
        """More places taken than there are (the checks under the locks refuse this)."""
        return self.taken > self.capacity

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
    """THE openings of a course: from the annotations of with_course_places_taken (no query),
    or, for a bare course, asked of the database at `now` (one query)."""
    taken = getattr(course, "places_taken", None)
    waiting = getattr(course, "places_waiting", None)
    if taken is None or waiting is None:
        found = openings_of([course.pk], now=now).get(course.pk)
        taken, waiting = (found.taken, found.waiting) if found else (0, 0)
    return Openings(course.capacity, taken, course.waitlist_allowed, waiting)

"""Places at one meeting of a class: the one rule for makeups (docs/booking.md, "Absences and
makeups").

    places a makeup may take at a meeting
      = the places absences free that meeting            (absences)
      + the places genuinely open that meeting that the waitlist is not promised
      − the makeups already booked into it (or asked for: a makeup waiting for staff
        holds its place the way a pending transfer holds its seat)

where "genuinely open" is capacity − what takes a term place at the meeting's start: the
enrollments still holding their place then (`Enrollment.objects.holding_place(at)`: a drop
that takes effect before the meeting frees it), unexpired cart holds, waitlist offers and
pending orders (every other source registered in catalog.availability.COURSE_PLACES_TAKEN,
counted at `now`). Families on the waitlist are promised the open term places first; the
places an absence frees are for one meeting only, so they are makeups' alone.

The other side of the rule (`net_makeups`, registered into COURSE_PLACES_TAKEN): a new
enrollment takes every future meeting, so a class's openings also give way to the largest
number of makeups any of its future meetings holds beyond what absences and drops free
there. Neither side can then oversell a meeting, and a class's openings never count a
makeup twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from springboard.attendance.models import HOLDING, Absence, AbsenceStatus, Makeup
from springboard.booking.models import Enrollment, EnrollmentStatus
from springboard.catalog import availability
from springboard.catalog.models import Course

REGISTRY_KEY = "attendance.net_makeups"


@dataclass(frozen=True)
class MeetingPlaces:
    capacity: int
    taken: int  # term places taken at the meeting's start
    waiting: int  # families on the waitlist (promised the open term places)
    absences: int  # students of the class marked absent that meeting
    makeups: int  # makeups booked into that meeting

    @property
    def left(self) -> int:
        """THE places a makeup may take at this meeting (see the module's docstring)."""
        open_places = self.capacity - self.taken
        promised = min(self.waiting, max(open_places, 0))
        return max(open_places - promised + self.absences - self.makeups, 0)


Meeting = tuple[int, date, datetime]  # course id, local date, start (aware)


def _term_places(registry: dict, now: datetime):
    total = availability.Zero()
    for key, make in registry.items():
        if key != REGISTRY_KEY:
            total = total + Coalesce(make(now), availability.Zero(), output_field=IntegerField())
    return total


def places_at(
    meetings: Iterable[Meeting], *, now: datetime
) -> dict[tuple[int, date], MeetingPlaces]:
    """Places of each meeting (course id, date, start) at `now`: four queries for any number
    of meetings and classes."""
    meetings = list(meetings)
    if not meetings:
        return {}
    course_ids = {course_id for course_id, _day, _starts in meetings}
    days = {day for _course_id, day, _starts in meetings}
    courses = {
        pk: (capacity, taken, waiting)
        for pk, capacity, taken, waiting in Course._default_manager.filter(pk__in=course_ids)
        .annotate(
            term_taken=_term_places(availability.COURSE_PLACES_TAKEN, now),
            term_waiting=_term_places(availability.COURSE_PLACES_PROMISED, now),
        )
        .values_list("pk", "capacity", "term_taken", "term_waiting")
    }
    drops_ahead = defaultdict(list)
    for course_id, ends_at in Enrollment.objects.filter(
        course__in=course_ids, status=EnrollmentStatus.DROPPED, ends_at__gt=now
    ).values_list("course_id", "ends_at"):
        drops_ahead[course_id].append(ends_at)
    absences = _counts(
        Absence.objects.filter(course__in=course_ids, date__in=days, status=AbsenceStatus.ABSENT)
    )
    makeups = _counts(
        Makeup.objects.filter(course__in=course_ids, date__in=days, status__in=HOLDING)
    )
    found = {}
    for course_id, day, starts in meetings:
        capacity, taken, waiting = courses[course_id]
        freed = sum(1 for ends_at in drops_ahead[course_id] if ends_at <= starts)
        found[(course_id, day)] = MeetingPlaces(
            capacity=capacity,
            taken=taken - freed,
            waiting=waiting,
            absences=_get(absences, course_id, day),
            makeups=_get(makeups, course_id, day),
        )
    return found


def _get(counts: dict, course_id: int, day: date) -> int:
    return counts.get((course_id, day), 0)


def _counts(queryset) -> dict[tuple[int, date], int]:
    return {
        (course_id, day): n
        for course_id, day, n in queryset.order_by()
        .values("course_id", "date")
        .annotate(n=Count("pk"))
        .values_list("course_id", "date", "n")
    }


def meeting_places(course: Course, day: date, starts: datetime, *, now: datetime) -> MeetingPlaces:
    return places_at([(course.pk, day, starts)], now=now)[(course.pk, day)]


class _CountRows(Func):
    """COUNT(*) of a subquery's rows, not an aggregate to the ORM: the subquery then has no
    GROUP BY and always answers one row (0 when nothing matches), so it needs no COALESCE,
    and the meeting's GROUP BY below is not made to repeat it."""

    template = "COUNT(*)"
    contains_aggregate = False
    output_field = IntegerField()

    def __init__(self):
        super().__init__()


def _count_subquery(queryset) -> Subquery:
    return Subquery(queryset.order_by().annotate(n=_CountRows()).values("n"))


def net_makeups(now: datetime) -> Greatest:
    """For OuterRef("pk") of a course: the most makeups any future meeting holds beyond what
    absences and drops taking effect before it free there (0 when none; NULL on SQLite when
    there is no future makeup, which the openings sum reads as 0).

    Part of every openings read, so kept short (psycopg's statement cache refuses a query
    over 4 KiB or 50 parameters; tests/catalog/test_prepared_openings.py): each count once
    (no COALESCE, nothing repeated in the GROUP BY or a HAVING), the meetings' largest
    surplus taken by ORDER BY … LIMIT 1 and kept from going below 0 by GREATEST."""
    absences = _count_subquery(
        Absence.objects.filter(
            course=OuterRef("course"), date=OuterRef("date"), status=AbsenceStatus.ABSENT
        )
    )
    freed = _count_subquery(
        Enrollment.objects.filter(
            course=OuterRef("course"),
            status=EnrollmentStatus.DROPPED,
            ends_at__gt=now,
            ends_at__lte=OuterRef("starts_at"),
        )
    )
    per_meeting = (
        Makeup.objects.filter(course=OuterRef("pk"), status__in=HOLDING, starts_at__gt=now)
        .order_by()
        .values("course", "date", "starts_at")
        .annotate(net=Count("pk") - absences - freed)
        .order_by("-net")
        .values("net")[:1]
    )
    return Greatest(Subquery(per_meeting, output_field=IntegerField()), availability.Zero())


def register() -> None:
    availability.COURSE_PLACES_TAKEN[REGISTRY_KEY] = net_makeups

"""What the family-facing catalogue pages list, in a constant number of queries per page.

Filters run in the database; openings come from `availability` as annotations of the same
query; eligibility (Find the Right Class) narrows the database's candidates exactly in Python.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When

from springboard.catalog import availability
from springboard.catalog.eligibility import (
    QUALIFYING_GENDERS,
    Eligibility,
    age_window_in_months,
    check_course,
)
from springboard.catalog.models import (
    WEEKDAY_FIELDS,
    Closure,
    Course,
    Event,
    PartyPackage,
    PartySlot,
    Term,
)
from springboard.core.prepared import Prepared

MORNING_ENDS = time(12, 0)
AFTERNOON_ENDS = time(17, 0)
TIMES_OF_DAY = ("morning", "afternoon", "evening")


def _listed_terms(organization_id: int, today: date) -> QuerySet:
    return Term.objects.for_organization(organization_id).filter(
        shown_on_web=True, end_date__gte=today
    )


# Compiled once per process (core.prepared): every classes list and the API's terms read it.
_LISTED_TERMS = Prepared(_listed_terms)


def listed_terms(organization, today: date) -> list[Term]:
    """Terms families may browse: shown on the web and not over yet, soonest first."""
    return _LISTED_TERMS(organization_id=organization.pk, today=today)


def courses_of(organization, *, term: Term, location, now: datetime) -> QuerySet:
    """The shown courses of a term at a location, with openings at `now`, in timetable order."""
    return availability.with_course_places_taken(
        listed_courses(organization, term=term, location=location), now=now
    )


def listed_courses(organization, *, term: Term, location) -> QuerySet:
    """courses_of without the openings annotations: for a page that reads the openings of its
    own courses afterwards (availability.with_openings_of: building the annotations for every
    filtered list cost most of the classes list's CPU; docs/performance.md)."""
    first_day = Case(
        *[When(**{name: True}, then=Value(n)) for n, name in enumerate(WEEKDAY_FIELDS)],
        default=Value(7),
        output_field=IntegerField(),
    )
    queryset = (
        Course.objects.for_organization(organization)
        .filter(term=term, location=location, shown_on_web=True)
        .select_related("program", "level", "term", "location")
        .alias(first_day=first_day)
        .order_by("first_day", "start_time", "name", "id")
    )
    return queryset


def listed_course_ids(organization_id: int, term_id: int, location_id: int) -> QuerySet:
    """The ids of listed_courses, in its order (a page's rows are then read by id)."""
    return listed_courses(organization_id, term=term_id, location=location_id).values_list(
        "pk", flat=True
    )


def courses_by_id(ids: tuple) -> QuerySet:
    """Courses with what a card shows of their program and level (a list of one term at one
    location puts those on its courses itself)."""
    return Course.objects.filter(pk__in=ids).select_related("program", "level")


def filter_choices(organization, *, term: Term, location) -> dict[str, list[tuple[int, str]]]:
    """The programs, levels and instructors of a term's shown courses at a location, as
    (id, name) pairs in display order, for the filter dropdowns (two queries)."""
    courses = Course.objects.for_organization(organization).filter(
        term=term, location=location, shown_on_web=True
    )
    programs, levels = set(), set()
    for row in courses.values_list(
        "program__position",
        "program__name",
        "program_id",
        "level__position",
        "level__name",
        "level_id",
    ).distinct():
        programs.add(row[:3])
        if row[5] is not None:
            levels.add(row[3:])
    instructors = (
        Course.instructors.through.objects.filter(course__in=courses)
        .values_list("staffprofile__name", "staffprofile_id")
        .distinct()
    )
    return {
        "program": [(pk, name) for _position, name, pk in sorted(programs)],
        "level": [(pk, name) for _position, name, pk in sorted(levels)],
        "instructor": [(pk, name) for name, pk in sorted(instructors)],
    }


def _age_expressions():
    return (
        F("min_age_years") * 12 + F("min_age_months"),
        F("max_age_years") * 12 + F("max_age_months"),
    )


def applied_filters(filters: dict) -> set[str]:
    """The names of the cleaned filter values that filter something (absent or empty ones
    filter nothing): what filter_courses applies."""
    applied = {
        name
        for name in ("program", "level", "gender", "instructor", "openings", "q")
        if filters.get(name)
    }
    if filters.get("day") is not None and filters.get("day") != "":
        applied.add("day")
    if filters.get("time_of_day") in TIMES_OF_DAY:
        applied.add("time_of_day")
    if filters.get("age") is not None:
        applied.add("age")
    return applied


def filter_courses(queryset: QuerySet, filters: dict) -> QuerySet:
    """Apply the cleaned filter values (absent or empty values filter nothing)."""
    applied = applied_filters(filters)
    if "program" in applied:
        queryset = queryset.filter(program_id=filters["program"])
    if "level" in applied:
        queryset = queryset.filter(level_id=filters["level"])
    if "day" in applied:
        queryset = queryset.filter(**{WEEKDAY_FIELDS[int(filters["day"])]: True})
    time_of_day = filters.get("time_of_day")
    if time_of_day == "morning":
        queryset = queryset.filter(start_time__lt=MORNING_ENDS)
    elif time_of_day == "afternoon":
        queryset = queryset.filter(start_time__gte=MORNING_ENDS, start_time__lt=AFTERNOON_ENDS)
    elif time_of_day == "evening":
        queryset = queryset.filter(start_time__gte=AFTERNOON_ENDS)
    if "age" in applied:
        low, high = _age_expressions()
        months = filters["age"] * 12
        queryset = queryset.alias(low=low, high=high).filter(low__lte=months + 11, high__gte=months)
    if "gender" in applied:
        queryset = queryset.filter(gender__in=["any", filters["gender"]])
    if "instructor" in applied:
        queryset = queryset.filter(instructors=filters["instructor"])
    if "openings" in applied:
        queryset = queryset.filter(openings_left__gt=0)  # availability's openings rule
    if "q" in applied:
        words = filters["q"]
        queryset = queryset.filter(
            Q(name__icontains=words)
            | Q(program__name__icontains=words)
            | Q(level__name__icontains=words)
            | Q(room__icontains=words)
        )
    return queryset


@dataclass(frozen=True)
class Student:
    """What eligibility needs of a student: typed in (wizard) or a family's Student."""

    birth_date: date
    gender: str
    first_name: str = ""
    enrolled_course_ids: frozenset[int] = frozenset()


def eligible_courses(
    queryset: QuerySet,
    student: Student,
    *,
    term: Term,
    today: date,
    now: datetime,
    closures: Iterable[Closure],
) -> list[tuple[Course, Eligibility]]:
    """The term's courses the student qualifies for, each with its eligibility.

    The database first drops courses the student cannot fit whatever the meeting date (gender,
    age anywhere in the rest of the term); the exact rule then runs on what is left.
    """
    youngest, oldest = age_window_in_months(
        student.birth_date, start=max(today, term.start_date), end=term.end_date
    )
    low, high = _age_expressions()
    candidates = (
        queryset.filter(gender__in=QUALIFYING_GENDERS.get(student.gender, {"any"}))
        .alias(low=low, high=high)
        .filter(low__lte=oldest, high__gte=youngest)
    )
    closures = list(closures)
    result = []
    for course in candidates:
        verdict = check_course(
            course,
            birth_date=student.birth_date,
            gender=student.gender,
            first_name=student.first_name,
            enrolled_course_ids=student.enrolled_course_ids,
            today=today,
            now=now,
            closures=closures,
        )
        if verdict.eligible:
            result.append((course, verdict))
    return result


def events_at(organization, *, location, today: date) -> QuerySet:
    """Shown events at a location with a day today or later, soonest first."""
    return (
        Event.objects.for_organization(organization)
        .filter(location=location, shown_on_web=True, days__date__gte=today)
        .annotate(first_day=Min("days__date"))
        .select_related("location")
        .order_by("first_day", "name", "id")
    )


def open_party_slots(organization, location, *, day: date, now: datetime) -> QuerySet:
    """Open party slots (no booking at `now`) starting on a local day at a location, with the
    packages shown on the web (the parties page and the API list the same)."""
    zone = zoneinfo.ZoneInfo(location.time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return (
        availability.with_party_slot_bookings(
            PartySlot.objects.for_organization(organization).filter(
                location=location, starts_at__gte=start, starts_at__lt=end
            ),
            now=now,
        )
        .filter(bookings=0)
        .select_related("location")
        .prefetch_related(
            Prefetch("packages", queryset=PartyPackage.objects.filter(shown_on_web=True))
        )
        .order_by("starts_at", "id")
    )

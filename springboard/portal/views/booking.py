"""BOOKING: the classes page, course detail, Find the Right Class, events (camps), parties.

Every list runs a constant number of queries however many courses an organization has
(tests/portal/test_booking_queries.py). Filter state lives in the query string, so a
filtered page is shareable, and htmx swaps only the results (the `results` partial) while
pushing the URL, so Back works; without JavaScript the same GET form reloads the page.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, Window, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import Context
from django.template.loader import get_template
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from springboard.booking.models import Enrollment, EnrollmentStatus
from springboard.catalog import availability, listing
from springboard.catalog.availability import (
    course_openings,
    put_places_left,
    with_course_places,
    with_event_day_places_taken,
)
from springboard.catalog.eligibility import check_course
from springboard.catalog.models import Course, Event, EventDay
from springboard.catalog.schedule import closures_for, meetings
from springboard.content.models import StaffProfile
from springboard.core.clock import today_in
from springboard.core.parsing import MAX_ID, optional_id
from springboard.core.prepared import Prepared, padded
from springboard.portal import classes_page, course_cards, page_shell
from springboard.portal.booking_forms import ClassFilterForm, StudentDetailsForm
from springboard.portal.views import cart
from springboard.tenancy.middleware import current_location

PER_PAGE = 24
CLASSES = "portal/booking/classes.html"
UPCOMING_MEETINGS_SHOWN = 30


def local_today(request) -> date:
    """Today in the current location's zone (the organization's when it has none)."""
    location = current_location(request)
    zone = location.time_zone if location else request.organization.time_zone
    return today_in(zone, request.now)


def wants_fragment(request) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    meta = request.META  # not request.headers, which copies every header on first use
    return (
        meta.get("HTTP_HX_REQUEST") == "true"
        and meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def render_page(request, template: str, context: dict, fragment: str = "results"):
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    return _fragment_response(request, render(request, name, context))


def _fragment_response(request, response):
    response.headers["Vary"] = "HX-Request"
    if wants_fragment(request):
        # The filter state is the URL: Back and a shared link show the same list.
        response.headers["HX-Push-Url"] = request.get_full_path()
    return response


@require_GET
def booking(request):
    return render(request, "portal/booking/index.html")


def _chosen_term(request, terms):
    """?term=<id> picks a listed term; not a number → ignored; not this organization's → 404."""
    wanted = optional_id(request.GET.get("term"))
    if wanted is not None:
        for term in terms:
            if term.pk == wanted:
                return term
        raise Http404("No such term")
    return terms[0] if terms else None


def _filter_choices(request, term, location) -> dict:
    """Dropdown choices of the filters, cached like the page fragments (they change only when
    staff edit the catalogue)."""
    seconds = settings.CATALOG_PAGE_CACHE_SECONDS
    key = f"class-filter-choices:{request.organization.pk}:{term.pk}:{location.pk}"
    choices = cache.get(key) if seconds else None
    if choices is None:
        choices = listing.filter_choices(request.organization, term=term, location=location)
        if seconds:
            cache.set(key, choices, seconds)
    return choices


def _class_filter_form(request, term, location, *, for_student=False):
    enabled = set(request.organization.portal_settings.class_filters or [])
    needs_choices = enabled & {"program", "level", "instructor"}
    return ClassFilterForm(
        request.GET,
        enabled=enabled,
        choices=_filter_choices(request, term, location) if needs_choices else None,
        for_student=for_student,
    )


def _term_and_location(request, *, kept: classes_page.Page | None = None) -> dict:
    """Today, the listed terms, the one shown and the location of a catalogue page: a kept
    classes page's terms when given (no query)."""
    today = local_today(request)
    terms = kept.terms if kept else listing.listed_terms(request.organization, today)
    return {
        "today": today,
        "terms": terms,
        "term": kept.term if kept else _chosen_term(request, terms),
        "location": current_location(request),
    }


def _catalogue_context(request, *, for_student=False, context=None):
    context = context if context is not None else _term_and_location(request)
    form = None
    if context["term"] and context["location"]:
        form = _class_filter_form(
            request, context["term"], context["location"], for_student=for_student
        )
    context.update({"form": form, "ignored": form.ignored() if form else []})
    return context


def _courses(request, context):
    term, location, form = context["term"], context["location"], context["form"]
    if not (term and location):
        return Course.objects.none()
    queryset = listing.courses_of(
        request.organization, term=term, location=location, now=request.now
    )
    return listing.filter_courses(queryset, form.filters())


def _page_of_courses(request, context):
    """The classes list's page of courses with their openings at `request.now`: the listed
    courses' ids (a prepared read when no filter applies, the rush's case), then the page's
    rows by id and their openings (prepared reads: building these querysets through the
    tenant and translation managers was most of the list's CPU, docs/performance.md,
    "listcost"). Only the "with openings" filter needs the annotations in the courses' own
    query."""
    form = context["form"]
    if not (context["term"] and context["location"]) or form.filters().get("openings"):
        page = Paginator(_courses(request, context), PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        return page
    where = {
        "organization_id": request.organization.pk,
        "term_id": context["term"].pk,
        "location_id": context["location"].pk,
    }
    filtered = listing.applied_filters(form.filters())
    if not filtered and request.GET.get("page") in (None, "", "1"):
        # The first page of the whole list (what every family opens): its rows and the
        # list's length in one prepared query.
        rows = FIRST_PAGE(**where)
        page = Paginator(_Counted(rows, rows[0].listed if rows else 0), PER_PAGE).get_page(1)
        courses = list(page.object_list)
    else:
        if filtered:
            ids = list(listing.filter_courses(listing.listed_course_ids(**where), form.filters()))
        else:
            ids = LISTED_IDS(**where)
        page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
        wanted = list(page.object_list)
        padded_ids = padded(wanted)
        rows = COURSES_BY_ID(ids=padded_ids) if padded_ids else listing.courses_by_id(tuple(wanted))
        by_id = {course.pk: course for course in rows}
        courses = [by_id[pk] for pk in wanted if pk in by_id]
    for course in courses:  # the list's own term and location (what its ids were read by)
        course.term, course.location = context["term"], context["location"]
    page.object_list = availability.with_openings_of(courses, now=request.now)
    return page


class _Counted(Sequence):
    """The first page's rows standing for a list of `length` courses (all a Paginator asks
    of its list for page 1: its length and the page's slice)."""

    def __init__(self, rows: list, length: int):
        self.rows, self.length = rows, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start not in (None, 0):
            raise IndexError("only the first page's rows are read")
        return self.rows[index]


def _first_page(organization_id: int, term_id: int, location_id: int) -> QuerySet:
    """listed_courses' first PER_PAGE courses with their program and level, each with
    `listed`: the length of the whole list (a window count, before the LIMIT)."""
    return (
        listing.listed_courses(organization_id, term=term_id, location=location_id)
        .select_related(None)
        .select_related("program", "level")
        .annotate(listed=Window(Count("pk")))[:PER_PAGE]
    )


# Compiled once per process (core.prepared).
FIRST_PAGE = Prepared(_first_page)
LISTED_IDS = Prepared(listing.listed_course_ids)
COURSES_BY_ID = Prepared(listing.courses_by_id)


def _instructor_rows(ids: tuple) -> QuerySet:
    """The instructors of these courses, in StaffProfile's order (what prefetching
    `instructors` reads), with the course each teaches."""
    return (
        Course.instructors.through.objects.filter(course_id__in=ids)
        .select_related("staffprofile")
        .order_by("staffprofile__position", "staffprofile__name", "staffprofile__id")
    )


# Compiled once per process: building the prefetch's queryset for every page cost ~5 ms.
INSTRUCTORS_OF = Prepared(_instructor_rows)


def _with_instructors(courses):
    """`course.instructors.all()` of each course without a query more: one prepared read for
    the page, put where prefetch_related would have put it."""
    ids = padded(course.pk for course in courses)
    if ids is None:
        prefetch_related_objects(courses, "instructors")
        return courses
    teaching = defaultdict(list)
    for row in INSTRUCTORS_OF(ids=ids) if ids else ():
        teaching[row.course_id].append(row.staffprofile)
    for course in courses:
        cached = getattr(course, "_prefetched_objects_cache", None)
        if cached is None:
            cached = course._prefetched_objects_cache = {}
        cached["instructors"] = teaching[course.pk]
    return courses


def _filters_key(request, context) -> str | None:
    """The cache key of a classes page's filter form, or None (not cached).

    Everything the form depends on is in it: organization, term, location, the switched-on
    filters, the language, the local date and the whole query string. (The results are never
    cached whole: their openings change with every hold; portal.course_cards.)
    """
    seconds = settings.CATALOG_PAGE_CACHE_SECONDS
    if not (seconds and context["term"] and context["location"]):
        return None
    portal_settings = request.organization.portal_settings
    parts = [
        request.organization.pk,
        context["term"].pk,
        context["location"].pk,
        ",".join(sorted(portal_settings.class_filters or [])),
        get_language(),
        context["today"].isoformat(),
        request.GET.urlencode(),
    ]
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"classes-filters:{digest}"


def _render_bare(name: str, request, context) -> str:
    """A fragment rendered without the context processors (the chrome's data, the cart's
    count: the page around it has them already; profiled in docs/performance.md)."""
    bare = Context({**context, "request": request})
    bare.request = request  # what {% querystring %} reads
    return get_template(name).template.render(bare)


def _build_fragments(request, context) -> tuple[classes_page.Page, list]:
    """The classes page from the database: the filter form (cached: it changes only when
    staff edit the catalogue) and the results with a slot for each card's openings; and the
    page's courses (with their openings at `request.now`)."""
    _catalogue_context(request, context=context)
    key = _filters_key(request, context)
    filters = cache.get(key) if key else None
    if filters is None:
        filters = (
            _render_bare("portal/booking/_filters.html", request, context)
            if context["form"]
            else ""
        )
        if key and not context["ignored"]:
            # Malformed queries are not kept: junk URLs cannot push real pages out of the
            # cache (local memory keeps at most 300 entries).
            cache.set(key, filters, settings.CATALOG_PAGE_CACHE_SECONDS)
    page = _page_of_courses(request, context)
    courses = page.object_list
    _with_instructors(courses)
    context.update(
        {
            "page": page,
            "results": [(course, None) for course in courses],
            "cards": course_cards.cards(request, courses),
        }
    )
    results = _render_bare("portal/booking/classes.html#results", request, context)
    ids = tuple(course.pk for course in courses)
    kept = classes_page.Page(
        filters=filters, results=results, ids=ids, terms=context["terms"], term=context["term"]
    )
    return kept, courses


def _kept_whole(request, kept: classes_page.Kept, context: dict, openings) -> HttpResponse | None:
    """A found page's whole HTML, kept per process around it (portal/page_shell.py), with this
    request's openings in its slots; None when the page must be rendered (messages)."""
    shell_context = {
        **context,
        "filters_html": mark_safe(kept.page.filters),  # noqa: S308 (our own rendering)
        "results_html": mark_safe(kept.page.results),  # noqa: S308 (with its openings slots)
    }
    html = page_shell.page(request, CLASSES, shell_context, key=kept.shell_key)
    if html is None:
        return None
    return _fragment_response(request, HttpResponse(classes_page.fill(request, html, openings)))


@require_GET
def classes(request):
    """The classes list: kept in the shared cache but for its openings when it can be
    (portal.classes_page: the openings then cost the page's one query), else built from the
    database and kept. Either way the openings are this request's. A found page is served
    whole from the worker's memory when it can be (`_kept_whole`)."""
    location, today = current_location(request), local_today(request)
    kept = classes_page.Kept(request, location=location, today=today)
    if kept.page is not None:
        page = kept.page
        context = _term_and_location(request, kept=page)
        openings = classes_page.openings_now(request, page.ids)
        whole = None if wants_fragment(request) else _kept_whole(request, kept, context, openings)
        if whole is not None:
            return whole
    else:
        context = _term_and_location(request)
        page, courses = _build_fragments(request, context)
        kept.keep(request, context, page)
        openings = [course_openings(course, now=request.now) for course in courses]
    context["filters_html"] = mark_safe(page.filters)  # noqa: S308 (our own rendering)
    context["results_html"] = classes_page.fill(request, page.results, openings)
    if wants_fragment(request):
        return _fragment_response(request, HttpResponse(context["results_html"]))
    return render_page(request, CLASSES, context)


@require_GET
def find_right_class(request):
    if not request.organization.portal_settings.find_right_class_enabled:
        raise Http404("Find the Right Class is switched off")
    context = _catalogue_context(request, for_student=True)
    student_form = StudentDetailsForm(
        request.GET if "birth_date" in request.GET else None, today=context["today"]
    )
    context["student_form"] = student_form
    context["page"] = None
    if student_form.is_bound and student_form.is_valid() and context["form"] is not None:
        details = student_form.cleaned_data
        student = listing.Student(
            birth_date=details["birth_date"],
            gender=details["student_gender"],
            first_name=details["first_name"],
            enrolled_course_ids=_enrolled_course_ids(request, details),
        )
        context.update(find_courses_for(request, context, student))
        return render_page(request, "portal/booking/find_right_class.html", context)
    return render(request, "portal/booking/find_right_class.html", context)


def _enrolled_course_ids(request, details: dict) -> frozenset[int]:
    """A logged-in family's picked student is not offered the classes it is already in."""
    family = getattr(request, "family", None)
    if family is None:
        return frozenset()
    return frozenset(
        Enrollment.objects.filter(
            student__family=family,
            student__first_name=details["first_name"],
            student__birth_date=details["birth_date"],
            status=EnrollmentStatus.ACTIVE,
        ).values_list("course_id", flat=True)
    )


def find_courses_for(request, context, student: listing.Student) -> dict:
    """The wizard's results for one student: the hook the logged-in student picker calls with
    a Student built from families.Student (first_name, birth_date, gender, enrollments)."""
    found = listing.eligible_courses(
        _courses(request, context),
        student,
        term=context["term"],
        today=context["today"],
        now=request.now,
        closures=closures_for(request.organization, location_ids=[context["location"].pk]),
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    _with_instructors([course for course, _ in page.object_list])
    student_query = urlencode(
        {
            "birth_date": student.birth_date.isoformat(),
            "student_gender": student.gender,
            "first_name": student.first_name,
        }
    )
    return {
        "page": page,
        "results": page.object_list,
        "student": student,
        "student_query": student_query,
    }


def _course_with_openings(course_id: int, now) -> QuerySet:
    # places_taken and places_waiting only, each once in the SQL (put_places_left adds the
    # rest): the page shows them, filters on none.
    return with_course_places(
        Course.objects.filter(shown_on_web=True, pk=course_id).select_related(
            "program", "level", "term", "location"
        ),
        now=now,
    )


def _instructors(course_id: int) -> QuerySet:
    return StaffProfile.objects.filter(courses__pk=course_id)  # course.instructors.all()


# The course page's reads: compiled once per process (building the openings SQL costs ~10x
# running it; docs/performance.md, "third pass: reads"), the organization bound from the
# request's scope as any read's.
COURSE_WITH_OPENINGS = Prepared(_course_with_openings, key=availability.registries)
INSTRUCTORS = Prepared(_instructors)


def meeting_times(starts) -> list[tuple[str, str]]:
    """(ISO 8601 start, "Mon 4 Jan 2027") of each meeting, aware starts in the location's zone:
    what the `date` filters "c" and "D j M Y" wrote (dateformat's D, j, M and Y), made here
    with each day and month name translated once. Two filters per meeting were ~9 % of the
    course page's CPU (docs/performance.md, "pagecost")."""
    names: dict[tuple[str, int], str] = {}
    times = []
    for start in starts:
        weekday, month = ("D", start.weekday()), ("M", start.month)
        if weekday not in names:
            names[weekday] = str(WEEKDAYS_ABBR[start.weekday()])
        if month not in names:
            names[month] = str(MONTHS_3[start.month]).title()
        label = f"{names[weekday]} {start.day} {names[month]} {start.year}"
        times.append((start.isoformat(), label))
    return times


@require_GET
def course_detail(request, course_id: int):
    # The URL's digits, bound as they come: beyond a row id's range there is no such course.
    found = 1 <= course_id <= MAX_ID and COURSE_WITH_OPENINGS(course_id=course_id, now=request.now)
    if not found or found[0].organization_id != request.organization.pk:
        raise Http404("No such course")
    course = found[0]
    put_places_left(course)
    today = local_today(request)
    closures = closures_for(request.organization, location_ids=[course.location_id])
    upcoming = list(meetings(course, closures, on_or_after=today))
    shown = upcoming[:UPCOMING_MEETINGS_SHOWN]
    verdict = None
    # Only a student's details asked for (from Find the Right Class) need the form: the page
    # does not show it, and building one copies all its fields.
    student_form = (
        StudentDetailsForm(request.GET, today=today) if "birth_date" in request.GET else None
    )
    if student_form is not None and student_form.is_valid():
        verdict = check_course(
            course,
            birth_date=student_form.cleaned_data["birth_date"],
            gender=student_form.cleaned_data["student_gender"],
            first_name=student_form.cleaned_data["first_name"],
            today=today,
            now=request.now,
            closures=closures,
        )
    return render(
        request,
        "portal/booking/course_detail.html",
        {
            "course": course,
            "instructors": INSTRUCTORS(course_id=course.pk),
            "openings": course_openings(course, now=request.now),
            "meetings": shown,
            "meeting_times": meeting_times(start for start, _end in shown),
            "more_meetings": max(len(upcoming) - UPCOMING_MEETINGS_SHOWN, 0),
            "verdict": verdict,
            **cart.course_booking_context(request, course, today=today, closures=closures),
        },
    )


def _days_with_openings(today, now):
    return Prefetch(
        "days",
        queryset=with_event_day_places_taken(
            EventDay.objects.filter(date__gte=today).select_related("event"), now=now
        ),
        to_attr="upcoming_days",
    )


@require_GET
def events(request):
    today = local_today(request)
    location = current_location(request)
    queryset = Event.objects.none()
    if location is not None:
        queryset = listing.events_at(request.organization, location=location, today=today)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, _days_with_openings(today, request.now))
    return render_page(request, "portal/booking/events.html", {"page": page})


@require_GET
def event_detail(request, event_id: int):
    today = local_today(request)
    event = get_object_or_404(
        Event.objects.for_organization(request.organization)
        .filter(shown_on_web=True)
        .select_related("location")
        .prefetch_related(_days_with_openings(today, request.now)),
        pk=event_id,
    )
    return render(
        request,
        "portal/booking/event_detail.html",
        {"event": event, **cart.family_students(request)},
    )

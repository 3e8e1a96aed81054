"""Reads compiled once per process (springboard/core/prepared.py; docs/performance.md, "third
pass: reads"): they give what the ORM gives, for every organization, never another one's rows,
and never a stale answer: the values are bound on every call, only the SQL is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from springboard.booking import locking
from springboard.booking import services as booking
from springboard.catalog import availability
from springboard.catalog.models import Course
from springboard.core.prepared import NotPreparable, Prepared, compiled, padded
from tests import factories
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _orm(ids, now):
    rows = availability.with_course_places_taken(Course.objects.filter(pk__in=ids), now=now)
    return {row.pk: availability.course_openings(row, now=now) for row in rows}


def _hold(org, course, last_name):
    family, kid = make_family(org, last_name=last_name)
    return booking.add_course(family=family, students=[kid], course=course, now=NOW)


def test_the_prepared_openings_are_the_orm_s_for_each_organization_in_its_scope(org, other_org):
    ours = catalog.course(org, capacity=5)
    theirs = catalog.course(other_org, capacity=3)
    _hold(org, ours, "Ours")
    _hold(other_org, theirs, "Theirs")
    _hold(other_org, theirs, "Theirs again")
    for organization, course, taken in ((org, ours, 1), (other_org, theirs, 2)):
        with scope(organization=organization):  # as in a request: the organization is bound
            found = availability.openings_of([ours.pk, theirs.pk], now=NOW)
            assert found == _orm([ours.pk, theirs.pk], NOW)
            assert set(found) == {course.pk}  # the other organization's course is not read
            assert found[course.pk].taken == taken
    # Outside any organization (commands, the admin): as the ORM reads, everything.
    assert availability.openings_of([ours.pk, theirs.pk], now=NOW) == _orm(
        [ours.pk, theirs.pk], NOW
    )


def test_each_call_binds_its_moment_so_an_expired_hold_stops_counting(org):
    course = catalog.course(org, capacity=2)
    _hold(org, course, "Holder")
    later = NOW + timedelta(minutes=booking.hold_minutes(org) + 1)
    with scope(organization=org):
        assert availability.openings_now(course.pk, now=NOW).left == 1
        assert availability.openings_now(course.pk, now=later).left == 2
        with pytest.raises(Course.DoesNotExist):
            availability.openings_now(course.pk + 1000, now=NOW)


def test_many_courses_read_in_one_query_for_a_few_lengths(org):
    courses = [catalog.course(org, capacity=n + 1) for n in range(5)]
    ids = [c.pk for c in courses]
    with scope(organization=org):
        availability.openings_of(ids, now=NOW)  # compiled for 8 ids
        with CaptureQueriesContext(connection) as captured:
            found = availability.openings_of(ids[:3] + ids[4:], now=NOW)  # 4 ids: padded to 4
            again = availability.openings_of(ids, now=NOW)
    assert len(captured) == 2
    assert sorted(found) == sorted(ids[:3] + ids[4:])
    assert {pk: o.capacity for pk, o in again.items()} == {c.pk: c.capacity for c in courses}
    assert padded([3, 1, 3]) == (1, 3)
    assert padded([5, 6, 7]) == (5, 6, 7, 7)
    assert padded(range(40)) is None


def test_the_sql_is_built_once_and_the_values_bound_each_time(org):
    built = []

    def build(course_id, now):
        built.append(course_id)
        return Course.objects.filter(pk=course_id).values_list("pk", flat=True)

    read = Prepared(build)
    first, second = catalog.course(org), catalog.course(org)
    with scope(organization=org):
        assert read(course_id=first.pk, now=NOW) == [first.pk]
        count = len(built)
        assert read(course_id=second.pk, now=NOW) == [second.pk]
        assert read(course_id=second.pk + 1000, now=NOW) == []
    assert len(built) == count  # compiled at the first call only


def test_a_value_derived_from_a_placeholder_is_left_to_the_orm(org, caplog):
    term = catalog.term(org)
    catalog.course(org, term=term)

    def build(now):
        return Course.objects.filter(term__start_date__gte=now - timedelta(days=400))

    read = Prepared(build)
    with scope(organization=org):
        with pytest.raises(NotPreparable):
            read._compile(connection, "organization", {"now": NOW})
        assert len(read(now=NOW)) == 1  # the ORM's answer, not an error page
    assert compiled(read) == [False]
    assert "not prepared" in caplog.text


def test_a_text_value_is_bound_as_it_is_and_a_lookup_that_wraps_it_left_to_the_orm(org):
    first, second = catalog.course(org, name="Tumbling"), catalog.course(org, name="Swim 100%")

    def exact(name):
        return Course.objects.filter(name=name).values_list("pk", flat=True)

    def containing(name):
        return Course.objects.filter(name__contains=name).values_list("pk", flat=True)

    read, wrapped = Prepared(exact), Prepared(containing)
    with scope(organization=org):
        assert read(name="Tumbling") == [first.pk]
        assert read(name="Swim 100%") == [second.pk]  # no pattern: the value as it is
        assert read(name="tumbling") == [] and read(name="") == []
        assert wrapped(name="100%") == [second.pk]  # the ORM's answer
    assert compiled(read) == [True]
    assert compiled(wrapped) == [False]


def test_the_booking_path_s_reads_are_prepared(org):
    course = catalog.course(org)
    with scope(organization=org):
        availability.openings_of([course.pk], now=NOW)
    assert compiled(availability._PLACES_OF)  # kept, and not left to the ORM
    assert all(compiled(availability._PLACES_OF))


def test_an_add_locks_its_course_with_a_prepared_statement_and_still_refuses_a_full_one(org):
    course = catalog.course(org, capacity=1)
    _hold(org, course, "First")
    # The add's lock is its fresh read of the course (locking.locked_reading), prepared.
    assert compiled(booking._COURSE_LOCKING)
    assert all(compiled(booking._COURSE_LOCKING))
    with pytest.raises(locking.BookingError):
        _hold(org, course, "Second")
    two = catalog.course(org)
    with scope(organization=org), locking.locked(Course, [two.pk, course.pk, two.pk]):
        pass  # two rows (a few lengths, padded), once each
    # The checkout's and the payment's lock statement (locking.locked), prepared too.
    assert compiled(locking._LOCKS[Course]) and all(compiled(locking._LOCKS[Course]))


def test_the_course_page_shows_each_seat_taken_at_once_and_only_its_organization(
    client, org, other_org
):
    course = catalog.course(org, capacity=2)
    theirs = catalog.course(other_org, capacity=2)

    def badge(url):
        html = client.get(url).content.decode()
        return html.split('data-testid="openings">', 1)[1].split("<", 1)[0]

    course.instructors.add(factories.staff_profile(org, name="Coach Dana"))
    theirs.instructors.add(factories.staff_profile(other_org, name="Coach Rival"))
    url = f"/acme/booking/classes/{course.pk}/"
    assert badge(url) == "2 openings"
    page = client.get(url).content.decode()
    assert "Coach Dana" in page and "Coach Rival" not in page  # its instructors, from the view
    _hold(org, course, "First")
    assert badge(url) == "1 opening"
    _hold(org, course, "Second")
    assert badge(url).startswith("FULL")
    assert client.get(f"/acme/booking/classes/{theirs.pk}/").status_code == 404


def test_a_prepared_read_converts_its_columns_as_the_orm_does_on_every_call(org):
    """The columns' converters are worked out once (dates, decimals, JSON, booleans, aware
    datetimes on SQLite): each later call's rows come out the ORM's values too."""
    from springboard.booking.models import CartItem
    from springboard.checkout.cart_reads import _HELD

    course = catalog.course(org, tuition="123.45")
    first, second = make_family(org, last_name="First"), make_family(org, last_name="Second")
    for (family, kid), minutes in ((first, 0), (second, 3)):
        booking.add_course(
            family=family, students=[kid], course=course, now=NOW + timedelta(minutes=minutes)
        )
    columns = ["expires_at", "added_at", "whole_event", "status", "kind"]
    for family, _kid in (first, second, first):
        with scope(organization=org):
            [item] = _HELD(organization_id=org.pk, family_id=family.pk, now=NOW)
            [orm] = CartItem.objects.filter(family=family).select_related(
                "course__term", "course__location", "student"
            )
        assert [getattr(item, name) for name in columns] == [getattr(orm, name) for name in columns]
        assert item.expires_at.tzinfo is not None
        assert item.course.tuition == orm.course.tuition == Decimal("123.45")
        term, orm_term = item.course.term, orm.course.term
        assert (term.start_date, term.enrollment_opens_at, item.student.birth_date) == (
            orm_term.start_date,
            orm_term.enrollment_opens_at,
            orm.student.birth_date,
        )
    kept = compiled(_HELD)
    assert kept and all(kept)


def _raw_statements(run) -> list[tuple[str, int]]:
    """(SQL as sent to the driver, number of parameters) of each statement `run()` executes."""
    seen = []

    def note(execute, sql, params, many, context):
        seen.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        run()
    return seen


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's statement cache")
def test_the_openings_reads_fit_psycopg_s_statement_cache_or_near_it(client, org):
    """psycopg parses again, on every execute, a query over 4 KiB of SQL or with more than 50
    parameters (its statement cache refuses them; docs/performance.md, "pagecost"): the add to
    cart's openings read stays well under both (docs/performance.md, "listcost"), and the
    course page's read names each source of taken places once (it once repeated them for
    places_left and openings_left: 169 parameters, 13 KiB)."""
    from psycopg import _queries

    course = catalog.course(org)
    with scope(organization=org):
        availability.openings_of([course.pk], now=NOW)  # compiled
        [(sql, params)] = _raw_statements(lambda: availability.openings_of([course.pk], now=NOW))
    assert len(sql.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH, len(sql)
    assert params <= _queries.MAX_CACHED_STATEMENT_PARAMS, params
    # With margin (listcost: net_makeups once, without COALESCE, GROUP BY copies or HAVING:
    # 4,040 bytes and 50 parameters before, 2,856 and 33 after), so a new source of taken
    # places still fits.
    assert len(sql.encode()) <= 2900, len(sql)
    assert params <= 33, params
    url = f"/acme/booking/classes/{course.pk}/"
    client.get(url)
    page = [s for s in _raw_statements(lambda: client.get(url)) if '"catalog_course"' in s[0]]
    [(sql, params)] = [s for s in page if "booking_waitlistentry" in s[0]]
    assert sql.count('"booking_waitlistentry"') == 2  # offers out, families waiting: once each
    assert params <= _queries.MAX_CACHED_STATEMENT_PARAMS, params


def test_a_date_is_a_value_too_bound_on_every_call(org):
    """listed_terms is prepared with the local date (core.prepared: dates are values)."""
    from springboard.catalog import listing

    term = catalog.term(org)
    with scope(organization=org):
        on_the_last_day = listing.listed_terms(org, term.end_date)
        after_it = listing.listed_terms(org, term.end_date + timedelta(days=1))
    assert [t.pk for t in on_the_last_day] == [term.pk] and after_it == []
    assert compiled(listing._LISTED_TERMS) and all(compiled(listing._LISTED_TERMS))

    def build(today):
        return Course.objects.filter(term__end_date__gte=today - timedelta(days=1))

    with scope(organization=org), pytest.raises(NotPreparable):
        Prepared(build)._compile(connection, "organization", {"today": term.end_date})


def _course_columns(ids: tuple, now):
    return (
        Course.objects.filter(pk__in=ids)
        .annotate(late=Value(now))
        .values_list("pk", "tuition", "waitlist_allowed", "late", "term__start_date")
        .order_by("pk")
    )


def test_rows_straight_from_the_cursor_are_the_orm_s_tuples_with_its_conversions(org):
    """Prepared.rows (a values_list read without a queryset: the openings read) gives what
    the ORM gives, converted (decimals, booleans, aware datetimes, dates), on every call; a
    build that is not a plain values_list gives the same tuples through the ORM."""
    first = catalog.course(org, tuition="123.45", waitlist_allowed=True)
    second = catalog.course(org, tuition="7.00", waitlist_allowed=False)
    read = Prepared(_course_columns)
    named = Prepared(lambda ids, now: _course_columns(ids, now).values_list("pk", named=True))
    ids = padded([first.pk, second.pk])
    for moment in (NOW, NOW + timedelta(hours=1)):
        with scope(organization=org):
            orm = list(_course_columns(ids, moment))
            assert (
                read.rows(ids=ids, now=moment)
                == orm
                == [tuple(row) for row in read(ids=ids, now=moment)]
            )
            assert named.rows(ids=ids, now=moment) == [(first.pk,), (second.pk,)]
    assert orm[0][1] == Decimal("123.45") and orm[0][2] is True and orm[0][3] == moment
    assert compiled(read) == [True]

"""Prepared reads are prepared statements on PostgreSQL (core.prepared.preparing_cursor): the
openings read is parsed and planned once per connection, then run from PostgreSQL's plan
cache; nothing else is prepared, a rolled-back transaction does not break it, and
PREPARED_STATEMENTS=False (a pooler that cannot keep them) prepares nothing."""

import pytest
from django.db import connection, transaction
from django_scopes import scope

from springboard.booking import services as booking
from springboard.catalog import availability
from springboard.catalog.models import Course
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _statements() -> dict[str, int]:
    """{SQL: times run} of this connection's prepared statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _changed(before: dict, after: dict) -> dict[str, int]:
    return {
        sql: runs - before.get(sql, 0) for sql, runs in after.items() if runs != before.get(sql)
    }


def _left(org, course) -> int:
    with scope(organization=org):
        return availability.openings_of([course.pk], now=NOW)[course.pk].left


def test_the_openings_read_is_prepared_once_and_run_from_the_plan_cache(org):
    course = catalog.course(org, capacity=4)
    before = _statements()
    assert [_left(org, course) for _ in range(3)] == [4, 4, 4]
    [(sql, runs)] = _changed(before, _statements()).items()
    assert '"places_taken"' in sql and runs == 3


def test_nothing_else_is_prepared_however_often_it_runs(org):
    for _ in range(10):
        list(Course.objects.filter(name="never-prepared-marker"))
    assert not [sql for sql in _statements() if "never-prepared-marker" in sql]


def test_a_rolled_back_hold_is_not_counted_and_the_read_still_runs(org):
    course = catalog.course(org, capacity=4)
    family, kid = make_family(org)
    assert _left(org, course) == 4
    with pytest.raises(RuntimeError), transaction.atomic():
        booking.add_course(family=family, students=[kid], course=course, now=NOW)
        assert _left(org, course) == 3
        raise RuntimeError("rolled back")
    assert _left(org, course) == 4


def test_switched_off_nothing_is_prepared(org, settings):
    settings.PREPARED_STATEMENTS = False
    course = catalog.course(org, capacity=4)
    before = _statements()
    assert [_left(org, course) for _ in range(3)] == [4, 4, 4]
    assert _changed(before, _statements()) == {}

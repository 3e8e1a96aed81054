"""The lock of what is sold: one statement, the rows in id order, NO KEY UPDATE, prepared once
per process (docs/booking.md; docs/performance.md, "checkout start and the cart page")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from springboard.booking import locking
from springboard.catalog.models import Course, EventDay
from springboard.core.prepared import compiled
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


def _locks(captured) -> list[str]:
    return [q["sql"] for q in captured if "FOR NO KEY UPDATE" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
@pytest.mark.parametrize("count", [1, 3, 40])
def test_one_statement_locks_every_row_in_id_order(org, count):
    courses = [catalog.course(org, name=f"Class {number}") for number in range(count)]
    ids = [course.pk for course in reversed(courses)]
    with (
        CaptureQueriesContext(connection) as captured,
        locking.locked_many([(Course, ids), (EventDay, [])]),
    ):
        pass
    [sql] = _locks(captured)
    assert all(str(pk) in sql for pk in ids)
    assert "ORDER BY 1 ASC" in sql or '"id" ASC' in sql
    with CaptureQueriesContext(connection) as captured, locking.locked(Course, ids):
        pass
    assert len(_locks(captured)) == 1
    if count <= 32:  # more rows than the prepared lengths are locked by a query built anew
        kept = compiled(locking._LOCKS[Course])
        assert kept and all(kept)


def test_inside_an_organization_only_its_rows_are_locked(org, other_org):
    ours, theirs = catalog.course(org), catalog.course(other_org)
    for organization in (org, other_org):  # one compilation, each organization bound
        with (
            scope(organization=organization),
            CaptureQueriesContext(connection) as captured,
            locking.locked_many([(Course, [ours.pk, theirs.pk])]),
        ):
            pass
        [sql] = [q["sql"] for q in captured if "catalog_course" in q["sql"]]
        if connection.vendor == "postgresql":  # prepared: logged as SQL and parameters apart
            assert '"catalog_course"."organization_id" = %s AND' in sql
            assert f"PARAMS = ({organization.pk}, {ours.pk}, {theirs.pk})" in sql
        else:
            assert f'"catalog_course"."organization_id" = {organization.pk}' in sql

"""The booking path, profiled (issue 17, item 3; docs/performance.md): the classes list does
not run the chrome's context processors again for its fragments, and production reads
sessions from the shared cache. Query counts are asserted so a regression shows here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog
from tests.portal.test_booking_queries import add_courses

pytestmark = pytest.mark.django_db

CLASSES = "/acme/booking/classes/"


@pytest.fixture(autouse=True)
def _during_enrollment():
    """The catalogue factories' term is open at NOW (whatever the real date)."""
    with time_machine.travel(NOW, tick=False):
        yield


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_logged_in_familys_classes_list_counts_the_cart_once_and_runs_11_queries(
    client, org, settings
):
    settings.CATALOG_PAGE_CACHE_SECONDS = 30  # as in production: the dropdowns are cached
    family, _kid = make_family(org)
    client.force_login(family.guardians.get().user)
    catalog.course(org)
    add_courses(org, 30)
    client.get(CLASSES)
    queries = _queries(client, CLASSES)
    # organization, session, user, family, policies (2), locations, terms, the cart badge
    # (once: the fragments no longer run the context processors again), the first page's
    # courses with the list's length (one prepared query, a window count: the count was a
    # query of its own; docs/performance.md, "listcost"), their openings (one prepared
    # grouped query: one round trip more than annotating the courses' own query, whose SQL
    # was rebuilt on every request for about half of the list's CPU), instructors
    assert len(queries) == 11, len(queries)


SHOW_SESSION_ENGINE = "import config.settings as s; print(getattr(s, 'SESSION_ENGINE', 'default'))"


def _session_engine(**env) -> str:
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "PORTAL_BASE_URL": "https://portal.example.com",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SESSION_ENGINE],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_sessions_are_read_from_the_shared_cache_only_when_there_is_one():
    assert _session_engine() == "default"  # Django's database sessions
    shared = _session_engine(CACHE_URL="redis://127.0.0.1:6379/0")
    assert shared == "django.contrib.sessions.backends.cached_db"


def test_with_the_shared_cache_a_page_reads_the_session_without_a_query(client, org, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": "test-sessions",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    family, _kid = make_family(org)
    client.force_login(family.guardians.get().user)
    queries = _queries(client, "/acme/dashboard/")
    assert not any('"django_session"' in sql for sql in queries)
    client.logout()  # gone from the cache and the database alike
    assert client.get("/acme/account/").status_code == 302


def test_the_classes_list_reads_its_terms_ids_and_rows_prepared_in_listed_order(client, org):
    from springboard.booking.models import Enrollment
    from springboard.catalog import listing
    from springboard.core.prepared import compiled
    from springboard.portal.views import booking as views

    catalog.course(org, name="Zebra Tumbling", saturday=True)
    add_courses(org, 30)  # two pages
    page = client.get(CLASSES).content.decode()
    second = client.get(f"{CLASSES}?page=2").content.decode()
    for read in (views.FIRST_PAGE, views.LISTED_IDS, views.COURSES_BY_ID, listing._LISTED_TERMS):
        assert compiled(read) and all(compiled(read))  # prepared, not left to the ORM
    with scope(organization=org):
        term = org.term_set.get()
        expected = list(listing.listed_courses(org, term=term, location=org.location_set.first()))
    names = [course.name for course in expected]
    shown = [name for name in names if f">{name}<" in page]
    assert shown == names[: views.PER_PAGE]
    assert [name for name in names if f">{name}<" in second] == names[views.PER_PAGE :]
    assert page.index(f">{names[0]}<") < page.index(f">{names[1]}<")
    assert f"{len(names)} classes at" in page and f"{len(names)} classes at" in second
    assert 'href="?page=2"' in page or "page=2" in page
    assert Enrollment.objects.count() == 0


def test_a_family_s_dashboard_runs_12_queries_and_reads_coming_up_prepared(client, org):
    from springboard.attendance import coming_up
    from springboard.booking.models import Enrollment
    from springboard.core.prepared import compiled
    from springboard.families import policies
    from springboard.families import services as family_services

    family, kid = make_family(org)
    client.force_login(family.guardians.get().user)
    client.get("/acme/dashboard/")
    # organization, session, user, family, policies, the balance, Coming Up!'s enrollments,
    # camp days, parties and makeups, the cart badge, locations (with the shared cache the
    # organization, session and locations come from it: 9, bench/profile_booking.py); nothing
    # booked: no absences, rules or closures read (14 before, docs/performance.md, "listcost")
    assert len(_queries(client, "/acme/dashboard/")) == 12
    Enrollment.objects.create(
        organization=org, student=kid, course=catalog.course(org), created_at=NOW
    )
    client.get("/acme/dashboard/")
    # With enrollments: their absences, the rules and the closures too, however many.
    assert len(_queries(client, "/acme/dashboard/")) == 15
    for _n in range(3):
        Enrollment.objects.create(
            organization=org, student=kid, course=catalog.course(org), created_at=NOW
        )
    assert len(_queries(client, "/acme/dashboard/")) == 15
    for read in (
        coming_up._ENROLLMENTS,
        coming_up._REGISTRATIONS,
        coming_up._PARTIES,
        coming_up._ABSENCES,
        coming_up._MAKEUPS,
        family_services._FAMILY_OF,  # the portal's gate: the family, its policies
        policies._ACTIVE_WEB_POLICIES,
    ):
        assert compiled(read) and all(compiled(read))

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


def test_a_logged_in_familys_classes_list_counts_the_cart_once_and_runs_12_queries(
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
    # (once: the fragments no longer run the context processors again), the courses' count,
    # the page's courses, their openings (one prepared grouped query: one round trip more
    # than annotating the courses' own query, whose SQL was rebuilt on every request for
    # about half of the list's CPU; docs/performance.md), instructors
    assert len(queries) == 12, len(queries)


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

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django_scopes import scopes_disabled

from tests import factories

SHIFT_OPTION = "--clock-shift-days"
SHIFT_VARIABLE = "SPRINGBOARD_CLOCK_SHIFT_DAYS"


def pytest_addoption(parser):
    parser.addoption(
        SHIFT_OPTION,
        type=int,
        default=int(os.environ.get(SHIFT_VARIABLE) or 0),
        help="Run the whole session with the clock moved this many days ahead (the portal must "
        f"behave the same on any date; `make test-later` uses 400). Also ${SHIFT_VARIABLE}.",
    )


def pytest_configure(config):
    """Move the whole session's clock (every thread: the live server's too) when asked.

    time_machine replaces the clock process-wide and lets it tick from the new moment; a test
    that travels somewhere itself still does, and comes back to the shifted clock after.
    """
    days = config.getoption(SHIFT_OPTION)
    if days:
        traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    days = config.getoption(SHIFT_OPTION)
    if days:
        return (
            f"clock shifted {days} days ahead: tests run as if it were {datetime.now(UTC):%Y-%m-%d}"
        )
    return None


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite, saying why."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL; CI does): SQLite has no row locks"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _tests_read_across_organizations(monkeypatch):
    """A test's own set-up and checks (factories, asserts on rows, threads it starts) read
    every organization's rows. Requests through the test client or the live server still run
    OrganizationMiddleware, which scopes them again: a view that forgets the organization
    raises ScopeError in tests (tests/tenancy/test_scope_enforcement.py)."""
    run = threading.Thread.run

    def run_without_scopes(thread):
        with scopes_disabled():
            run(thread)

    monkeypatch.setattr(threading.Thread, "run", run_without_scopes)
    with scopes_disabled():
        yield


@pytest.fixture
def org(db):
    organization = factories.organization("acme", name="Acme Gymnastics")
    factories.location(organization, name="Main")
    return organization


@pytest.fixture
def other_org(db):
    organization = factories.organization("rival", name="Rival Swim")
    factories.location(organization, name="Rival Pool")
    return organization


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _main_language():
    """Each test starts in the main language: a request in Spanish activates Spanish for the
    thread, and it must not leak into the next test's set-up (messages, modeltranslation's
    fields: `title=` fills the active language's column)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit counters do not leak between tests."""
    from django.core.cache import cache

    cache.clear()


os.environ.setdefault("SPRINGBOARD_TESTING", "1")


@pytest.fixture
def round_trips(monkeypatch):
    """Every write to a Redis connection: one per round trip."""
    from redis.connection import Connection

    sent = []
    original = Connection.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counted)
    return sent


@pytest.fixture
def on_redis(request, settings):
    """The default cache on a real Redis at the test module's REDIS_URL (this project's
    RedisCache), under a key prefix of this test's own, its keys removed afterwards; skipped
    when no Redis answers. Gives (the Redis client, the prefix)."""
    import uuid

    import redis
    from django.core.cache import cache

    url = request.module.REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        pytest.skip(f"no Redis at {url}")
    prefix = f"redis-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "springboard.core.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    server = cache._cache.get_client(write=True)
    yield server, prefix
    keys = list(server.scan_iter(match=f"{prefix}:*"))
    if keys:
        server.delete(*keys)

"""A logged-in portal page reads its organization, login and family from the shared cache in
one round trip (portal/middleware.py ReadAheadMiddleware; docs/performance.md, "third
pass"), and what it read ahead is never used once the view runs."""

import pytest
from django.core.cache import cache, caches

from springboard.core import versions
from springboard.portal.middleware import ReadAheadMiddleware
from tests import family_factories

pytestmark = pytest.mark.django_db
DASHBOARD = "/acme/dashboard/"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SHARED_CACHE = True
    cache.clear()
    ReadAheadMiddleware._organization_ids.clear()
    yield
    cache.clear()
    ReadAheadMiddleware._organization_ids.clear()


@pytest.fixture
def logged_in(client, org):
    family = family_factories.family(org)
    client.force_login(family.guardians.get().user)
    return client


def _round_trips(client, monkeypatch, url=DASHBOARD) -> int:
    calls = []
    backend = caches["default"]
    real = backend.get_many
    with monkeypatch.context() as patched:
        patched.setattr(backend, "get_many", lambda keys: calls.append(keys) or real(keys))
        assert client.get(url).status_code == 200
    return len(calls)


def test_the_lookups_before_the_view_take_one_round_trip(logged_in, monkeypatch):
    _round_trips(logged_in, monkeypatch)  # fills the cache and learns the organization's id
    assert _round_trips(logged_in, monkeypatch) == 1
    assert versions._AHEAD.get() is None  # ended with the request


def test_the_view_reads_the_cache_itself(logged_in, monkeypatch):
    from springboard.portal import context_processors

    seen = []
    real = context_processors.cart_summary

    def cart_summary(*args, **kwargs):  # runs while the view renders its page
        seen.append(versions._AHEAD.get())
        return real(*args, **kwargs)

    monkeypatch.setattr(context_processors, "cart_summary", cart_summary)
    logged_in.get(DASHBOARD)
    logged_in.get(DASHBOARD)
    assert seen == [None, None]


def test_a_wrong_organization_hint_costs_a_round_trip_not_a_wrong_family(
    logged_in, org, monkeypatch
):
    _round_trips(logged_in, monkeypatch)
    ReadAheadMiddleware._organization_ids["acme"] = org.pk + 1000
    assert _round_trips(logged_in, monkeypatch) == 2
    page = logged_in.get(DASHBOARD)
    assert page.wsgi_request.family.organization_id == org.pk
    assert ReadAheadMiddleware._organization_ids["acme"] == org.pk


def test_a_new_required_policy_still_gates_the_next_page(logged_in, org, monkeypatch):
    _round_trips(logged_in, monkeypatch)
    family_factories.policy(org, title="Liability waiver")
    response = logged_in.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/policies/")

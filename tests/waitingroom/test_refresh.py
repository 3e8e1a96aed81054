"""The waiting page's refresh, answered at the top of the middleware stack
(springboard/waitingroom/middleware.py): the same answer and headers as through the whole
stack, no query, no session, login or CSRF work, and what it cannot answer goes down the
stack as before."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings

from springboard.waitingroom import views
from tests.waitingroom.conftest import OPENS
from tests.waitingroom.test_waiting_page import status_url, waiting_page

pytestmark = pytest.mark.django_db

FAST_PATH = "springboard.waitingroom.middleware.StatusMiddleware"
WHOLE_STACK = [name for name in settings.MIDDLEWARE if name != FAST_PATH]
VARYING = {"Date"}  # set by the server per answer, not by the portal


def answered(client, url, **extra):
    response = client.get(url, **extra)
    headers = {k: v for k, v in response.headers.items() if k not in VARYING}
    return response.status_code, response.json(), headers


@pytest.fixture
def counted(monkeypatch):
    """How often the view's answer ran, and whether through the fast path (no session)."""
    calls = []
    original = views.answer

    def spy(request, found):
        calls.append(hasattr(request, "session"))
        return original(request, found)

    monkeypatch.setattr(views, "answer", spy)
    return calls


@pytest.mark.parametrize("moment", ["before", "admitted"])
def test_the_fast_path_answers_as_the_whole_stack_would(
    clock, room, course, logged_in, moment, counted
):
    url = status_url(waiting_page(logged_in, course))
    if moment == "admitted":
        clock.move_to(OPENS + timedelta(seconds=1))
    fast = answered(logged_in, url, HTTP_ACCEPT_LANGUAGE="es")
    with override_settings(MIDDLEWARE=WHOLE_STACK):
        stack = Client()  # a handler of its own: middleware load once per handler
        stack.cookies = logged_in.cookies
        whole = answered(stack, url, HTTP_ACCEPT_LANGUAGE="es")
    assert counted == [False, True]  # the first skipped the session; the second did not
    assert fast == whole
    status, body, headers = fast
    assert status == 200 and body["state"] == moment
    assert "no-store" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Content-Language"] == "es"
    assert "Set-Cookie" not in headers  # no session, CSRF or message cookie written


def test_the_refresh_speaks_the_familys_language(clock, room, course, logged_in):
    url = status_url(waiting_page(logged_in, course))
    logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = logged_in.get(url).json()["message"]
    assert spanish.startswith("Está en la sala de espera")
    logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = logged_in.get(url).json()["message"]
    assert english.startswith("You are in the waiting room")


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_SSL_REDIRECT=True)
def test_in_production_the_refresh_is_https_only_with_hsts(clock, room, course, logged_in):
    page = logged_in.get(
        f"/acme/waiting-room/?term={course.term_id}&course={course.pk}", secure=True
    )
    url = status_url(page)
    assert logged_in.get(url).status_code == 301  # plain http is sent to https first
    response = logged_in.get(url, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_refresh_runs_no_query_and_reads_the_cache_once_after_the_rate_limit(
    clock, room, course, logged_in, django_assert_num_queries, monkeypatch
):
    url = status_url(waiting_page(logged_in, course))
    clock.move_to(OPENS + timedelta(seconds=1))
    logged_in.get(url)  # the first ask after the opening draws the lottery
    reads = []
    original = views.cache.get_many
    monkeypatch.setattr(views.cache, "get_many", lambda keys: reads.append(keys) or original(keys))
    with django_assert_num_queries(0):
        assert logged_in.get(url).json()["state"] == "admitted"
    assert len(reads) == 1


def test_what_the_fast_path_cannot_answer_goes_down_the_stack(
    clock, room, course, logged_in, counted
):
    url = status_url(waiting_page(logged_in, course))
    assert logged_in.get(url[:-3] + "xyz/").status_code == 404  # the site's 404 page
    assert logged_in.post(url).status_code == 405
    assert logged_in.get(url, HTTP_HOST="evil.example").status_code == 400
    assert counted == [True]  # only the tampered ticket reached the view (its 404)


def test_a_page_elsewhere_is_untouched(client, org, counted):
    response = client.get("/acme/")
    assert response.status_code in (200, 302)
    assert counted == []

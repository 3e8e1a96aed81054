"""The classes page kept whole once per process (portal/page_shell.py): served from its shell
it is the page a fresh render shows, with this request's own nonce, CSRF token, cart badge,
login state and messages, and it still shows every edit and every seat taken at once."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client, RequestFactory

from springboard.booking import services as booking
from springboard.portal import chrome_html, page_shell
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog
from tests.helpers import queries_for
from tests.portal.test_openings_never_stale import CLASSES, clock  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 30
    settings.SHARED_CACHE = True
    cache.clear()
    page_shell._HTML.clear()
    chrome_html._HTML.clear()
    yield
    cache.clear()
    page_shell._HTML.clear()


def _page(client, url=CLASSES) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _without_request_parts(html: str) -> str:
    return TOKEN.sub("token", NONCE.sub("nonce", html))


def _badge(html: str) -> str:
    return re.search(r'id="sb-cart-count">(\d+)<', html).group(1)


def test_a_page_from_its_shell_is_what_a_fresh_render_shows(client, org, settings):
    catalog.course(org, name="Tumble Tots", capacity=3)
    built = _page(client)  # built from the database and kept
    assert not page_shell._HTML
    served = _page(client)  # the kept page: its shell rendered once …
    assert page_shell._HTML
    assert _without_request_parts(_page(client)) == _without_request_parts(served)  # … reused
    assert _without_request_parts(served) == _without_request_parts(built)
    settings.SHARED_CACHE = False  # nothing kept: the template renders everything
    assert _without_request_parts(_page(client)) == _without_request_parts(built)
    assert "Tumble Tots" in served and "3 openings" in served


def test_each_request_has_its_own_nonce_in_the_page_and_the_header(client, org):
    catalog.course(org)
    nonces = set()
    for _ in range(3):
        response = client.get(CLASSES)
        html = response.content.decode()
        found = set(NONCE.findall(html))
        assert len(found) == 1  # every inline style carries this request's nonce
        (nonce,) = found
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 3


def test_the_forms_of_a_kept_page_carry_a_token_that_works(org):
    catalog.course(org)
    client = Client(enforce_csrf_checks=True)
    _page(client)
    html = _page(client)
    assert page_shell._HTML
    token = TOKEN.search(html).group(1)
    response = client.post(
        "/acme/language/", {"language": "es", "next": CLASSES, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert 'lang="es"' in _page(client)


def test_each_family_sees_its_own_cart_and_login_in_a_kept_page(org):
    course = catalog.course(org, capacity=5)
    visitor = Client()
    _page(visitor)
    assert _badge(_page(visitor)) == "0" and "Log out" not in _page(visitor)
    holder, kid = make_family(org, last_name="Holder")
    booking.add_course(family=holder, students=[kid], course=course, now=NOW)
    other, _ = make_family(org, last_name="Other")
    clients = {}
    for name, family in (("holder", holder), ("other", other)):
        clients[name] = Client()
        clients[name].force_login(family.guardians.get().user)
        _page(clients[name])
    holder_page, other_page = _page(clients["holder"]), _page(clients["other"])
    assert _badge(holder_page) == "1" and 'data-testid="toolbar-countdown"' in holder_page
    assert _badge(other_page) == "0" and 'data-testid="toolbar-countdown"' not in other_page
    assert "Log out" in holder_page and "Log out" in other_page
    assert "Holder" not in other_page
    assert _badge(_page(visitor)) == "0" and "Log out" not in _page(visitor)
    assert "4 openings" in other_page  # the holder's seat, taken a moment ago


def test_messages_are_shown_once_and_never_kept(client, org):
    catalog.course(org)
    _page(client)
    _page(client)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies[CookieStorage.cookie_name] = storage._encode(  # noqa: SLF001
        [Message(constants.SUCCESS, "Your changes are saved.")]
    )
    assert "Your changes are saved." in _page(client)
    assert "Your changes are saved." not in _page(client)
    assert all("Your changes" not in html for html in page_shell._HTML.values())


def test_a_kept_page_still_costs_one_query(client, org):
    for n in range(3):
        catalog.course(org, name=f"Class {n}")
    _page(client)
    _page(client)
    assert queries_for(client, CLASSES) == 1  # the openings; the whole page is kept

"""The portal chrome is rendered once per process as HTML (springboard/portal/chrome_html.py;
docs/performance.md, "third pass"): it must still show what the request's organization,
settings, locations, login and language say, and never one family's data in another's page."""

import re
from datetime import datetime

import pytest
import time_machine
from django.test import Client

from springboard.portal import chrome_html
from tests import factories
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 15, tzinfo=catalog.CHICAGO)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _empty_chrome_cache():
    chrome_html._HTML.clear()
    yield
    chrome_html._HTML.clear()


def _chrome(client, url="/acme/news/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return html[html.index('<header class="sb-toolbar">') : html.index('<main id="main"')]


def _fresh(client, url="/acme/news/") -> str:
    """The same page with nothing cached: what the template renders today."""
    chrome_html._HTML.clear()
    return _chrome(client, url)


def _without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)


def test_the_cached_chrome_is_what_a_fresh_render_shows(client, org):
    factories.location(org, name="North Gym", phone="555-0101", hours="Mon 9-5\nTue 9-5")
    family, _ = make_family(org)
    client.force_login(family.guardians.get().user)
    first = _chrome(client)
    assert chrome_html._HTML  # rendered once and kept …
    assert _without_tokens(_chrome(client)) == _without_tokens(first)  # … and reused
    assert _without_tokens(_fresh(client)) == _without_tokens(first)
    assert "North Gym" in first and 'id="sb-location-modal"' in first


def test_a_settings_edit_a_rename_and_a_new_location_show_at_once(client, org):
    before = _chrome(client)
    assert "Meet the Coaches" not in before and 'id="sb-location-modal"' not in before
    settings = org.portal_settings
    settings.staff_page_enabled = True
    settings.staff_page_title = "Meet the Coaches"
    settings.save()
    assert "Meet the Coaches" in _chrome(client)
    org.name = "Acme Tumbling"
    org.save()
    assert "Acme Tumbling" in _chrome(client)
    factories.location(org, name="North Gym")
    after = _chrome(client)
    assert 'id="sb-location-modal"' in after and "North Gym" in after
    assert _without_tokens(after) == _without_tokens(_fresh(client))


def test_login_and_logout_change_the_chrome(client, org):
    family, _ = make_family(org)
    visitor = _chrome(client)
    assert "Register/Login" in visitor and "Log out" not in visitor
    client.force_login(family.guardians.get().user)
    member = _chrome(client)
    assert "Log out" in member and "Register/Login" not in member
    assert client.post("/acme/logout/").status_code == 302
    assert _without_tokens(_chrome(client)) == _without_tokens(visitor)


def test_a_language_switch_changes_the_chrome(client, org):
    english = _chrome(client)
    assert 'aria-pressed="true">English' in english
    client.post("/acme/language/", {"language": "es", "next": "/acme/news/"})
    spanish = _chrome(client)
    assert spanish != english
    assert 'lang="es" class="btn btn-sm btn-secondary" aria-pressed="true"' in spanish
    assert _without_tokens(spanish) == _without_tokens(_fresh(client))
    client.post("/acme/language/", {"language": "en", "next": "/acme/news/"})
    assert _without_tokens(_chrome(client)) == _without_tokens(english)


def test_one_familys_cart_token_and_page_never_show_in_anothers(org):
    course = catalog.course(org, capacity=4)
    (alice, alice_kid), (bob, _) = make_family(org, "Ames"), make_family(org, "Baker")
    alice_client, bob_client = Client(), Client(enforce_csrf_checks=True)
    alice_client.force_login(alice.guardians.get().user)
    bob_client.force_login(bob.guardians.get().user)
    alice_client.post("/acme/cart/add/class/", {"course": course.pk, "student": alice_kid.pk})
    alices = _chrome(alice_client, "/acme/news/?page=1")
    bobs = _chrome(bob_client, "/acme/cart/")
    assert len(chrome_html._HTML) == 1  # both pages came from the same cached chrome
    assert 'id="sb-cart-count">1<' in alices and 'data-testid="toolbar-countdown"' in alices
    assert 'id="sb-cart-count">0<' in bobs and "toolbar-countdown" not in bobs
    alice_token, bob_token = TOKEN.search(alices).group(1), TOKEN.search(bobs).group(1)
    assert alice_token != bob_token
    assert set(TOKEN.findall(alices)) == {alice_token}
    assert set(TOKEN.findall(bobs)) == {bob_token}
    assert 'name="next" value="/acme/news/?page=1"' in alices
    assert 'name="next" value="/acme/cart/"' in bobs and "page=1" not in bobs
    # The token is one the forms accept (its cookie was set): Bob's language switch works.
    response = bob_client.post(
        "/acme/language/", {"language": "es", "csrfmiddlewaretoken": bob_token}
    )
    assert response.status_code == 302

"""Each switch whose page exists shows or hides its entry on the dashboard, MENU and MORE.

Later issues add a row for each page they build (ProShop, eGift Cards, Live, ...).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _chrome(client, account="acme"):
    response = client.get(f"/{account}/dashboard/")
    assert response.status_code == 200
    return response.context["nav"], response.content.decode()


# switch -> (entry key, where it must appear when on)
SWITCHES = {
    "staff_page_enabled": ("staff_page", ["more"]),
}


@pytest.mark.parametrize("switch", sorted(SWITCHES))
def test_a_switch_shows_and_hides_its_entry(client, org, switch):
    key, places = SWITCHES[switch]
    settings = org.portal_settings
    for on in (True, False):
        setattr(settings, switch, on)
        settings.save()
        nav, _ = _chrome(client)
        for place in places:
            keys = [link.key for link in nav[place]]
            assert (key in keys) is on, (switch, on, place, keys)


def test_the_staff_page_entry_uses_the_configured_title(client, org):
    settings = org.portal_settings
    settings.staff_page_enabled = True
    settings.staff_page_title = "Meet the Coaches"
    settings.save()
    _, html = _chrome(client)
    assert "Meet the Coaches" in html
    assert client.get("/acme/staff/").status_code == 200


def test_a_switched_off_staff_page_is_a_404(client, org):
    assert client.get("/acme/staff/").status_code == 404


def test_welcome_info_tile_follows_its_switch(client, org):
    settings = org.portal_settings
    settings.welcome_enabled = True
    settings.save()
    assert 'data-testid="tile-welcome_info"' in _chrome(client)[1]
    settings.welcome_enabled = False
    settings.save()
    assert 'data-testid="tile-welcome_info"' not in _chrome(client)[1]


def test_no_entry_points_at_a_page_that_does_not_exist(client, org):
    settings = org.portal_settings
    for field in (
        "proshop_enabled",
        "egift_cards_enabled",
        "staff_page_enabled",
        "live_enabled",
        "find_right_class_enabled",
        "welcome_enabled",
    ):
        setattr(settings, field, True)
    settings.save()
    nav, _ = _chrome(client)
    links = [*nav["menu"], *nav["more"], *nav["dashboard"], *nav["toolbar"].values()]
    assert links
    for link in links:
        assert client.get(link.url).status_code in (200, 302), link


def test_website_and_app_links_show_only_when_set(client, org):
    _, html = _chrome(client)
    assert "Visit Website" not in html
    org.website_url = "https://acme.example/"
    org.ios_app_url = "https://apps.example/acme"
    org.save()
    _, html = _chrome(client)
    assert "https://acme.example/" in html and "Get our iPhone app" in html
    assert "Get our Android app" not in html


def test_location_details_only_for_several_locations(client, org):
    _, html = _chrome(client)
    assert "Location details" not in html
    from tests import factories

    factories.location(org, name="Second site", address_line1="9 Elm Road")
    _, html = _chrome(client)
    assert "Location details" in html
    assert reverse("portal:choose_location", kwargs={"account": "acme"}) in html

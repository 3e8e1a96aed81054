import pytest
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_splash_shows_only_current_splash_items(client, org):
    now = timezone.now()
    factories.news_item(org, title="On the splash", show_on_splash=True)
    factories.news_item(org, title="Only in the news list")
    factories.news_item(
        org,
        title="Expired",
        show_on_splash=True,
        published_at=now - timezone.timedelta(days=9),
        expires_at=now - timezone.timedelta(days=1),
    )
    factories.news_item(
        org, title="Not yet", show_on_splash=True, published_at=now + timezone.timedelta(days=1)
    )
    html = client.get("/acme/").content.decode()
    assert "On the splash" in html
    for hidden in ("Only in the news list", "Expired", "Not yet"):
        assert hidden not in html
    assert "Click to Begin" in html


def test_the_splash_without_news_still_offers_click_to_begin(client, org):
    html = client.get("/acme/").content.decode()
    assert "Click to Begin" in html


def test_news_is_newest_first_and_paginated(client, org):
    for day in range(12):
        factories.news_item(
            org, title=f"Item {day:02d}", published_at=timezone.now() - timezone.timedelta(days=day)
        )
    page1 = client.get("/acme/news/").content.decode()
    assert page1.index("Item 00") < page1.index("Item 01")
    assert "Item 11" not in page1
    assert "Item 11" in client.get("/acme/news/?page=2").content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999", "x" * 10_000])
def test_a_bad_news_page_number_is_not_an_error(client, org, page):
    factories.news_item(org)
    assert client.get("/acme/news/", {"page": page}).status_code == 200


def test_an_expired_news_item_is_a_404(client, org):
    item = factories.news_item(
        org,
        expires_at=timezone.now() - timezone.timedelta(minutes=1),
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    assert client.get(f"/acme/news/{item.pk}/").status_code == 404


def test_welcome_information_shows_once_per_visit(client, org):
    settings = org.portal_settings
    settings.welcome_enabled = True
    settings.welcome_html = "<p>Hello families</p>"
    settings.save()
    first = client.get("/acme/dashboard/").content.decode()
    assert "data-sb-show-on-load" in first
    second = client.get("/acme/dashboard/").content.decode()
    assert "data-sb-show-on-load" not in second
    assert "Hello families" in second  # still there for WELCOME INFO to re-open


def test_staff_written_html_is_sanitised(client, org):
    item = factories.news_item(
        org,
        body_html='<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<a href="javascript:x">x</a>',
    )
    html = client.get(f"/acme/news/{item.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "onclick" not in html
    assert "javascript:x" not in html


def test_names_are_escaped(client, org):
    factories.staff_profile(org, name="<script>alert(1)</script>")
    settings = org.portal_settings
    settings.staff_page_enabled = True
    settings.save()
    html = client.get("/acme/staff/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_choosing_a_location_is_remembered_for_the_visit(client, org):
    second = factories.location(org, name="Second", address_line1="77 Oak Avenue")
    response = client.post("/acme/location/", {"location": second.pk, "next": "/acme/news/"})
    assert response.status_code == 302 and response["Location"] == "/acme/news/"
    assert "77 Oak Avenue" in client.get("/acme/dashboard/").content.decode()


def test_location_switch_does_not_redirect_off_site(client, org):
    second = factories.location(org, name="Second")
    response = client.post(
        "/acme/location/", {"location": second.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/acme/dashboard/"


def test_a_get_on_a_post_only_url_is_405(client, org):
    assert client.get("/acme/location/").status_code == 405

"""The demo family subscribes its calendar on a phone, then resets the link: the old URL
stops, the new one serves the family's schedule (checked by axe and the CSP on each page)."""

import re

import icalendar
import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_family_subscribes_and_resets_its_calendar_link(phone):
    data.load(now=timezone.now())
    page = phone.page
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
    page.goto("/demo/account/")
    feed = page.get_by_test_id("calendar-feed")
    feed.get_by_role("button", name="Get my calendar link").click()
    link = page.get_by_label("Your private calendar link")
    expect(link).to_have_value(re.compile(r"/demo/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    expect(feed.get_by_role("link", name="Open in my calendar app")).to_have_attribute(
        "href", re.compile(r"^webcal://")
    )
    phone.check_page()
    old = link.input_value()
    events = icalendar.Calendar.from_ical(Client().get(_path(old)).content).walk("VEVENT")
    assert any("Mia" in str(event["summary"]) for event in events)

    feed.get_by_role("link", name="Reset the link").click()
    expect(page.get_by_role("heading", name="Reset the calendar link")).to_be_visible()
    phone.check_page()
    page.get_by_test_id("calendar-reset-confirm").click()
    expect(page.get_by_test_id("calendar-reset-done")).to_be_visible()
    phone.check_page()
    new = page.get_by_label("Your private calendar link").input_value()
    assert new != old
    assert Client().get(_path(old)).status_code == 404
    assert Client().get(_path(new)).status_code == 200

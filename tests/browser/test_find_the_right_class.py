"""A family on a phone finds the classes a child qualifies for, narrows by day, opens one."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from tests.browser.conftest import close_welcome, show_only_openings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _december_2026():
    # The demo is loaded on this day; the clock keeps ticking for the browser's sake.
    with time_machine.travel(datetime(2026, 12, 1, 18, tzinfo=UTC), tick=True):
        yield


def test_find_the_right_class_for_a_six_year_old_then_narrow_by_day(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.goto("/demo/dashboard/")
    close_welcome(page)
    page.get_by_test_id("tile-find_right_class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find the Right Class")
    phone.check_page()

    # A birth date in the future is a message, not a list.
    page.get_by_label("Birth date").fill("2030-01-01")
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_role("button", name="Show classes").click()
    expect(page.get_by_text("The birth date is in the future.")).to_be_visible()
    phone.check_page()

    page.get_by_label("First name (optional)").fill("Maya")
    page.get_by_label("Birth date").fill("2020-06-01")
    page.get_by_role("button", name="Show classes").click()
    expect(page.get_by_test_id("student-summary")).to_contain_text("Classes Maya qualifies for")
    courses = page.get_by_test_id("course")
    expect(courses.first).to_be_visible()
    phone.check_page()  # the whole list has loaded before it is read
    listed = courses.locator("h2").all_inner_texts()
    assert listed, "no classes for a six-year-old girl"
    # Only what she qualifies for: no boys' classes, no toddler or teen classes.
    assert not any(re.search(r"Boys|Parent|Tot|Elite|Advanced|Stroke", name) for name in listed)

    # Narrow by day: htmx swaps the results (no page load) and puts the filter in the URL.
    page.evaluate("window.__samePage = true")
    page.get_by_label("Day", exact=True).select_option(label="Tuesday")
    expect(page).to_have_url(re.compile(r"day=1"))
    expect(courses.first).to_be_visible()
    expect(courses.locator(".sb-days").filter(has_not_text="Tue")).to_have_count(0)
    assert page.evaluate("window.__samePage === true")
    phone.check_page()

    # Course detail lists upcoming meetings and says she qualifies.
    first_name = courses.first.locator("h2").inner_text()
    courses.first.locator("h2 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_name)
    expect(page.get_by_test_id("eligibility")).to_contain_text("qualifies")
    # The current term's next meeting: this week.
    expect(page.get_by_test_id("meetings").locator("li").first).to_contain_text("Dec 2026")
    phone.check_page()

    # Back returns to the narrowed list.
    page.go_back()
    expect(page).to_have_url(re.compile(r"day=1"))
    expect(page.get_by_test_id("course").first).to_be_visible()
    phone.check_page()


def test_classes_events_and_parties_pages_on_a_phone(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.goto("/demo/dashboard/")
    close_welcome(page)
    page.get_by_test_id("tile-booking").click()
    phone.check_page()
    page.get_by_test_id("tile-classes").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("classes at Main Street")
    phone.check_page()
    page.get_by_label("Day", exact=True).select_option(label="Saturday")
    expect(page).to_have_url(re.compile(r"day=5"))
    expect(page.get_by_test_id("course").first.locator(".sb-days")).to_have_text("Sat")
    # Back (htmx history) shows the whole list again, forward the narrowed one.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"day="))
    expect(page.get_by_test_id("course").first.locator(".sb-days")).to_have_text("Mon")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"day=5"))
    expect(page.get_by_test_id("course").first.locator(".sb-days")).to_have_text("Sat")
    phone.check_page()
    page.goto("/demo/booking/classes/")
    show_only_openings(page)
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    phone.check_page()
    page.goto("/demo/booking/events/")
    expect(page.get_by_test_id("event").first).to_be_visible()
    phone.check_page()
    page.goto("/demo/booking/parties/")
    expect(page.get_by_test_id("party-package")).to_have_count(2)
    phone.check_page()

"""A first visit on a phone: splash, news pop-up, dashboard, welcome information, location."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from springboard.demo.catalog import SCHOOLS_OUT_CAMP
from tests.browser.conftest import expect_no_modal, expect_welcome_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_family_walks_the_splash_and_dashboard_on_a_phone(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.clock.install()
    # This family's phone does not ask for reduced motion (test_splash_holds_still_... does).
    page.emulate_media(reduced_motion="no-preference")
    page.goto("/demo/")
    slides = page.get_by_test_id("splash-slide")
    expect(slides).to_have_count(3)
    first_title = slides.nth(0).locator("h2").inner_text()
    expect(slides.nth(0)).to_have_class(re.compile(r"\bactive\b"))

    # The splash moves on by itself (the clock is Playwright's, not a sleep).
    page.clock.run_for(7_000)
    expect(slides.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    expect(slides.nth(0)).not_to_have_class(re.compile(r"\bactive\b"))
    # Families can stop the slides (and axe then reads a page that holds still).
    page.get_by_role("button", name="Pause slides").click()
    page.clock.run_for(1_000)
    expect(page.get_by_role("button", name="Play slides")).to_be_visible()
    # Paused stays paused, even after the family steps to the next slide by hand. (From here
    # CSS transitions are off: they run on the real clock and axe would read a half fade.)
    page.emulate_media(reduced_motion="reduce")
    page.get_by_role("button", name="Next").click()
    page.clock.run_for(1_000)
    expect(slides.nth(2)).to_have_class(re.compile(r"\bactive\b"))
    page.clock.run_for(13_000)
    expect(slides.nth(2)).to_have_class(re.compile(r"\bactive\b"))
    phone.check_page()

    # Learn More opens the news item in a pop-up that keeps focus and closes on Escape.
    page.get_by_role("button", name=re.compile("Learn More")).and_(
        page.locator(":visible")
    ).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.clock.run_for(1_000)
    assert page.evaluate("document.activeElement.closest('.modal') !== null")
    phone.check_page()
    page.keyboard.press("Escape")
    page.clock.run_for(1_000)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert first_title

    # Click to Begin → dashboard, where Welcome Information shows once.
    page.get_by_role("link", name="Click to Begin").click()
    expect(page).to_have_url(re.compile(r"/demo/dashboard/$"))
    page.wait_for_load_state("load")
    page.clock.run_for(1_000)
    welcome = expect_welcome_open(page)
    expect(welcome).to_have_accessible_name(re.compile("Welcome"))
    phone.check_page()
    welcome.get_by_role("button", name="Continue").click()
    page.clock.run_for(1_000)
    expect(welcome).to_be_hidden()
    expect_no_modal(page)

    # Coming back to the dashboard in the same visit does not show it again...
    page.reload()
    expect(page.locator("[data-sb-show-on-load]")).to_have_count(0)
    page.clock.run_for(1_000)
    expect(welcome).to_be_hidden()
    # ...but WELCOME INFO re-opens it.
    page.get_by_test_id("tile-welcome_info").click()
    page.clock.run_for(1_000)
    expect_welcome_open(page)
    page.keyboard.press("Escape")
    page.clock.run_for(1_000)
    expect(welcome).to_be_hidden()
    expect_no_modal(page)

    # Switching location changes the address shown beside LOCATION DETAILS.
    location = page.get_by_test_id("current-location")
    expect(location).to_contain_text("1200 Main Street")
    page.get_by_role("button", name="Location details").click()
    page.clock.run_for(1_000)
    phone.check_page()
    page.get_by_label("Switch location").select_option(label="Northside")
    page.get_by_role("button", name="Switch", exact=True).click()
    expect(page.get_by_test_id("current-location")).to_contain_text("88 Prairie Road")
    phone.check_page()


def test_the_splash_holds_still_for_a_phone_that_asks_for_reduced_motion(phone):
    """prefers-reduced-motion: reduce (the phone fixture's setting): the slides do not move on
    by themselves; Play starts them for a family who wants them."""
    data.load(now=timezone.now())
    page = phone.page
    page.clock.install()
    page.goto("/demo/")
    slides = page.get_by_test_id("splash-slide")
    expect(slides).to_have_count(3)
    play = page.get_by_role("button", name="Play slides")
    expect(play).to_be_visible()
    page.clock.run_for(20_000)
    expect(slides.nth(0)).to_have_class(re.compile(r"\bactive\b"))
    play.click()
    page.clock.run_for(7_000)
    expect(slides.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    expect(page.get_by_role("button", name="Pause slides")).to_be_visible()


def test_news_and_staff_pages_on_a_phone(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.goto("/demo/news/")
    expect(page.get_by_role("heading", level=1)).to_have_text("News and announcements")
    phone.check_page()
    camp_news = re.compile(rf"^{SCHOOLS_OUT_CAMP}: ")  # then its dates, relative to today
    page.get_by_role("link", name=camp_news).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(camp_news)
    phone.check_page()
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Meet Our Coaches").click()
    expect(page.get_by_role("heading", name="Maria Alvarez")).to_be_visible()
    phone.check_page()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("dialog", name="Menu")).to_be_visible()
    phone.check_page()

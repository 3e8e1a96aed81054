"""A family on a phone fills the cart: a class for one child, a camp day for the other, a
party; the cart counts each hold down; another family takes the last seat of the class and
the first family sees "FULL — waitlist"."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from springboard.booking.models import Enrollment
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course, PartySlot
from springboard.demo import data
from springboard.demo.catalog import SCHOOLS_OUT_CAMP
from springboard.demo.enrollments import NEIGHBOURS
from springboard.demo.families import DEMO_FAMILY, TWO_GYMS_FAMILY
from springboard.families.models import Family, Student
from tests import family_factories
from tests.browser.conftest import PhonePage, log_in, show_only_openings

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def leave_one_seat(course: Course) -> None:
    """Neighbours take every seat of the course but one (it already has one hold)."""
    neighbours = Student.objects.filter(family__name=NEIGHBOURS, organization=course.organization)
    taken = {e.student_id for e in Enrollment.objects.filter(course=course)}
    for student in neighbours.exclude(pk__in=taken):
        if course_openings(Course.objects.get(pk=course.pk), now=timezone.now()).left <= 1:
            break
        Enrollment.objects.create(
            organization=course.organization, student=student, course=course, created_at=START
        )


def test_a_family_fills_the_cart_and_another_takes_the_last_seat(phone, browser, live_server):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    # The page's clock starts where the server's is now (data.load took a while since START):
    # hold countdowns compare the two.
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    # Find the Right Class for Leo (6, picked from the family's students), only classes with
    # openings, then the first one.
    page.get_by_test_id("tile-find_right_class").click()
    page.get_by_test_id("student-picker").get_by_role("link", name="Leo").click()
    courses = page.get_by_test_id("course")
    expect(courses.first).to_be_visible()
    show_only_openings(page)
    expect(courses.first).to_be_visible()
    phone.check_page()
    courses.first.locator("h2 a").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+/"))
    course_url = page.url
    course_id = int(re.search(r"/classes/(\d+)/", course_url)[1])
    phone.check_page()
    page.get_by_label("Leo").check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_have_count(1)
    phone.check_page()

    # A camp day for Mia.
    page.goto("/demo/booking/events/")
    phone.check_page()
    page.get_by_role("link", name=SCHOOLS_OUT_CAMP).click()
    page.get_by_label("Student").select_option(label="Mia")
    page.get_by_label(re.compile("Mon 21 Dec")).check()
    phone.check_page()
    page.get_by_role("button", name="Add days to cart").click()
    expect(page.get_by_test_id("cart-item")).to_have_count(2)
    countdowns = page.get_by_test_id("countdown")
    expect(countdowns).to_have_count(2)
    expect(countdowns.first).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(page.locator("#sb-cart-count")).to_have_text("2")
    expect(page.get_by_test_id("toolbar-countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    phone.check_page()

    # A party: an open day, a slot, a package, guests and the guest of honour.
    page.goto("/demo/booking/parties/")
    phone.check_page()
    page.get_by_text("Days with open slots:").locator("xpath=following-sibling::ul[1]").get_by_role(
        "link"
    ).first.click()
    phone.check_page()
    page.get_by_role("link", name="Book this time").first.click()
    # A slot with one package opens its form at once; with several, the family picks one.
    party_form = page.get_by_test_id("party-form")
    package_links = page.get_by_test_id("slot-packages").get_by_role("link")
    expect(party_form.or_(package_links).first).to_be_visible()
    phone.check_page()
    # The slot's own data decides (one package: its form opens at once), not a peek at the page.
    slot_id = int(re.search(r"/parties/slots/(\d+)/", page.url).group(1))
    if PartySlot.objects.get(pk=slot_id).packages.filter(shown_on_web=True).count() != 1:
        package_links.first.click()
    expect(party_form).to_be_visible()
    page.get_by_label(re.compile("Number of guests")).fill("12")
    page.get_by_label("One of your students").select_option(label="Mia")
    phone.check_page()
    page.get_by_role("button", name="Add party to cart").click()
    expect(page.get_by_test_id("cart-item")).to_have_count(3)
    expect(page.get_by_test_id("cart-items")).to_contain_text("Party for Mia")
    phone.check_page()

    # Remove the camp day.
    page.get_by_role("button", name=f"Remove {SCHOOLS_OUT_CAMP}").click()
    expect(page.get_by_test_id("cart-item")).to_have_count(2)
    expect(page.locator("#sb-cart-count")).to_have_text("2")
    phone.check_page()

    # The countdown runs on the page's clock: past the hold it says so.
    page.clock.fast_forward("16:00")
    expect(page.get_by_test_id("countdown").first).to_have_text("Expired")

    # Another family, on another phone, takes the last seat of Leo's class.
    course = Course.objects.get(pk=course_id)
    leave_one_seat(course)
    chen = Family.objects.get(organization__account_name="demo", name="The Chen Family")
    Student.objects.get_or_create(
        organization=chen.organization,
        family=chen,
        first_name="Sam",
        last_name="Chen",
        defaults={"birth_date": date(2020, 9, 2), "gender": "male"},
    )
    family_factories.agree_to_everything(chen)  # Sam's student policies
    other = PhonePage(browser, live_server.url)
    try:
        log_in(other, TWO_GYMS_FAMILY.email, TWO_GYMS_FAMILY.password)
        other.page.goto(course_url.split("?")[0])
        other.page.get_by_label("Sam").check()
        other.page.get_by_role("button", name="Add to cart").click()
        expect(other.page.get_by_test_id("cart-item")).to_have_count(1)
        other.check_page()
    finally:
        other.context.close()

    page.goto(course_url)
    expect(page.get_by_test_id("openings")).to_have_text("FULL — waitlist")
    expect(page.get_by_role("button", name="Join waitlist")).to_be_visible()
    phone.check_page()

"""Registration night on a phone (390x844): the Rivera family goes to the demo's Swim Team
class before its registration opens, waits in the waiting room with other families (a
countdown, then its place), is admitted and adds Mia to the cart with its pass."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from springboard.catalog.models import Course
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from springboard.demo.waitingroom import TERM_PREFIX
from springboard.waitingroom import rules, services
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=True) as moving:
        yield moving


def test_a_family_waits_for_the_opening_and_is_admitted(phone, traveller, live_server):
    demo = data.load(now=timezone.now())["demo"]
    course = Course.objects.get(term__name__startswith=TERM_PREFIX, name="Swim Team (Mon)")
    opens = course.term.enrollment_opens_at
    room = services.room_of(demo)
    rush = services.rush_of(room, opens)
    for n in range(5):  # five other families are already waiting
        rules.join(rush, waiter=f"neighbour-{n}", now=timezone.now())

    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    page.goto(f"/demo/booking/classes/{course.pk}/")
    notice = page.get_by_test_id("waiting-room-notice")
    expect(notice).to_be_visible()
    phone.check_page()
    notice.get_by_role("link", name="Go to the waiting room").click()

    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"\d+:\d\d"))
    status = page.get_by_role("status").filter(has_text="lottery")
    expect(status).to_be_visible()
    local = timezone.localtime(opens, zoneinfo.ZoneInfo(course.location.time_zone))
    expect(page.get_by_test_id("opens-at")).to_contain_text(local.strftime("%-I:%M %p"))
    phone.check_page()

    # The opening: the lottery places the six waiting families; one is admitted every 10 s.
    traveller.move_to(opens + timedelta(seconds=1))
    page.clock.fast_forward(20_000)
    admitted = page.get_by_test_id("pass")
    in_line = page.get_by_role("status").filter(has_text="Your place in line")
    expect(admitted.or_(in_line)).to_be_visible(timeout=20_000)

    # A minute later everyone who waited has been admitted; the page reloads itself.
    traveller.move_to(opens + timedelta(seconds=70))
    page.clock.fast_forward(20_000)  # the page asks at least every 15-17 s
    expect(admitted).to_be_visible(timeout=20_000)
    expect(admitted).to_contain_text("Your pass lets you book until")
    phone.check_page()

    page.get_by_test_id("continue").click()
    expect(page).to_have_url(re.compile(rf"/demo/booking/classes/{course.pk}/$"))
    expect(page.get_by_test_id("waiting-room-notice")).to_have_count(0)
    page.get_by_label("Mia").check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_have_count(1)
    phone.check_page()

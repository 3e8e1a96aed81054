"""End to end on a phone: splash → Click to Begin → log in → Find the Right Class → a class for
each of two children → checkout with the sandbox gateway's own card fields → confirmation →
the receipt in the mail outbox. The second run's first card is declined; another card pays."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.billing.models import Payment
from springboard.booking.models import Enrollment
from springboard.checkout.models import Order, OrderStatus
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in, show_only_openings

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def add_class_for(phone, name: str) -> None:
    page = phone.page
    page.goto("/demo/dashboard/")
    page.get_by_test_id("tile-find_right_class").click()
    page.get_by_test_id("student-picker").get_by_role("link", name=name).click()
    show_only_openings(page)
    courses = page.get_by_test_id("course")
    expect(courses.first).to_be_visible()
    phone.check_page()
    courses.first.locator("h2 a").click()
    phone.check_page()
    page.get_by_label(name).check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    phone.check_page()


def pay_with(phone, number: str) -> None:
    page = phone.page
    for box in page.locator('input[name="policy"]').all():
        box.check()
    # The demo family has a saved card (the default); this journey types a new one.
    page.get_by_label("A new card").check()
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("Security code").fill("123")
    page.get_by_test_id("pay").click()


@pytest.mark.parametrize("first_card", [VISA, DECLINED])
def test_a_family_checks_out_two_children_on_a_phone(phone, live_server, first_card):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    # The page's clock starts where the server's is now (data.load took a while since START):
    # hold countdowns compare the two.
    page.clock.install(time=timezone.now())

    page.goto("/demo/")
    # The phone asks for reduced motion (conftest): the slides hold still until Play.
    expect(page.get_by_role("button", name="Play slides")).to_be_visible()
    phone.check_page()
    page.get_by_role("link", name="Click to Begin").click()
    expect(page).to_have_url(re.compile(r"/demo/dashboard/$"))
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    add_class_for(phone, "Leo")
    add_class_for(phone, "Mia")
    expect(page.get_by_test_id("cart-item")).to_have_count(2)

    # The demo family already has a paid enrollment (My Account's demo money).
    paid_before = Payment.objects.filter(status="succeeded").count()
    enrolled_before = set(Enrollment.objects.values_list("pk", flat=True))
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    expect(page.get_by_test_id("order-line").first).to_be_visible()
    phone.check_page()

    if first_card == DECLINED:
        pay_with(phone, DECLINED)
        expect(page.get_by_test_id("checkout-error")).to_contain_text("declined")
        phone.check_page()
        assert Order.objects.get().status == OrderStatus.PENDING
        assert set(Enrollment.objects.values_list("pk", flat=True)) == enrolled_before
    pay_with(phone, VISA)

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    phone.check_page()

    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.filter(status="succeeded").count() == paid_before + 1
    assert Enrollment.objects.exclude(pk__in=enrolled_before).count() == 2
    receipts = [m for m in mail.outbox if "receipt" in m.subject.lower()]
    assert len(receipts) == 1
    for line in order.lines.all():
        assert line.description in receipts[0].body
    assert "4242 4242" not in receipts[0].body

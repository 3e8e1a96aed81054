"""On a phone: the demo family enrols two children; the sibling discount shows in the cart
preview, at checkout and on the receipt; the promo code WELCOME10 takes 10% off what is
left. axe and CSP are checked on every page (phone.check_page)."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.checkout.models import Order, OrderStatus
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in
from tests.browser.test_checkout_journey import VISA, add_class_for, pay_with

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def test_two_children_get_the_sibling_discount_and_a_promo_code_takes_ten_percent(
    phone, live_server
):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    page.goto("/demo/dashboard/")
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    add_class_for(phone, "Leo")
    add_class_for(phone, "Mia")
    expect(page.get_by_test_id("cart-item")).to_have_count(2)
    cart_discounts = page.get_by_test_id("cart-discounts").get_by_test_id("discount-line")
    expect(cart_discounts).to_have_count(1)
    expect(cart_discounts.first).to_contain_text("Sibling discount")
    phone.check_page()

    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    lines = page.get_by_test_id("order-lines")
    expect(lines.get_by_test_id("discount-line")).to_have_count(1)
    expect(lines.get_by_test_id("discount-line").first).to_contain_text("Sibling discount")
    phone.check_page()
    before = Order.objects.get().total

    page.get_by_label("Promo code").fill("welcome10")
    # Two "Apply" buttons since the eGift Cards merge (the code's and the card's).
    page.get_by_test_id("apply-promo").click()
    expect(page.get_by_test_id("promo-applied")).to_contain_text("WELCOME10")
    expect(lines.get_by_test_id("discount-line")).to_have_count(3)
    phone.check_page()
    order = Order.objects.get()
    promo_off = -sum(
        line.amount for line in order.lines.filter(kind="discount", promo_code__isnull=False)
    )
    # 10% of each line, rounded half-up per line: within a cent per line of 10% of the total
    assert abs(promo_off - before / 10) <= Decimal("0.01") * order.lines.count()
    assert order.total == before - promo_off

    pay_with(phone, VISA)
    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    expect(page.get_by_test_id("discount-line")).to_have_count(3)
    phone.check_page()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    receipt = next(m for m in mail.outbox if "receipt" in m.subject.lower())
    assert "Sibling discount" in receipt.body
    assert "Promo code WELCOME10" in receipt.body

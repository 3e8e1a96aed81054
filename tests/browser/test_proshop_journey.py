"""On a phone: the demo family opens PROSHOP from the dashboard tile, sees the badges, buys a
team leotard in size M through the one cart and checkout (the tax line and the pickup
location shown), pays with the sandbox card, and My Account lists it, ready to pick up."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.checkout.models import Order, OrderStatus
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from springboard.shop.models import MovementKind, Purchase, StockMovement
from tests.browser.conftest import log_in
from tests.browser.test_checkout_journey import VISA, pay_with

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def test_the_demo_family_buys_a_leotard_in_size_m_on_a_phone(phone, live_server):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    page.get_by_test_id("tile-proshop").click()
    expect(page).to_have_url(re.compile(r"/demo/proshop/$"))
    products = page.get_by_test_id("product")
    expect(products).to_have_count(3)
    expect(products.filter(has_text="Water bottle")).to_contain_text("Sold out")
    expect(products.filter(has_text="Silicone swim cap")).to_contain_text("Only 2 left")
    phone.check_page()

    page.get_by_role("link", name="Apparel").click()
    expect(products).to_have_count(1)  # the leotard sits in Apparel › Leotards
    page.get_by_role("link", name="Team leotard").click()
    expect(page.get_by_role("heading", name="Team leotard")).to_be_visible()
    phone.check_page()
    page.get_by_label(re.compile(r"^M\b")).check()
    page.get_by_label("Quantity").fill("1")
    page.get_by_test_id("add-product").click()

    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    item = page.get_by_test_id("cart-item")
    expect(item).to_contain_text("Team leotard")
    expect(item).to_contain_text("M · 1 unit · pick up at Main Street")
    expect(page.locator("#sb-cart-count")).to_have_text("1")
    phone.check_page()

    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    lines = page.get_by_test_id("order-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(1)).to_contain_text("Sales tax on Team leotard")
    expect(page.get_by_test_id("pickup")).to_contain_text("Main Street")
    phone.check_page()
    pay_with(phone, VISA)

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    expect(page.get_by_test_id("order-lines")).to_contain_text("Team leotard — M")
    phone.check_page()

    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    purchase = Purchase.objects.get()
    assert (purchase.variant.sku, purchase.quantity, purchase.order_number) == (
        "LEO-M",
        1,
        order.pk,
    )
    assert StockMovement.objects.filter(kind=MovementKind.SOLD, purchase=purchase).exists()
    receipts = [m for m in mail.outbox if "receipt" in m.subject.lower()]
    assert len(receipts) == 1 and "Team leotard — M" in receipts[0].body

    page.goto("/demo/account/")
    expect(page.get_by_test_id("purchase")).to_contain_text("Ready to pick up at Main Street")
    phone.check_page()


def test_a_visitor_buys_a_leotard_without_an_account_on_a_phone(phone, live_server):
    """Visitor checkout (issue 12, item 8): name, email and phone on the product page, then
    the same cart and checkout; the receipt goes to the email given."""
    from springboard.families.models import Family
    from springboard.shop.models import Product

    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    leotard = Product.objects.get(title="Team leotard")
    page.goto(f"/demo/proshop/{leotard.pk}/")
    expect(page.get_by_test_id("visitor-details")).to_be_visible()
    phone.check_page()
    page.get_by_label(re.compile(r"^M\b")).check()
    page.get_by_label("Your name").fill("Pat Visitor")
    page.get_by_label("Your email").fill("pat.visitor@example.com")
    page.get_by_label("Your phone").fill("312 555 0142")
    page.get_by_test_id("add-product").click()

    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_contain_text("Team leotard")
    phone.check_page()
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    phone.check_page()
    for box in page.locator('input[name="policy"]').all():
        box.check()
    page.get_by_label("Card number").fill(VISA)
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("Security code").fill("123")
    page.get_by_test_id("pay").click()

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    expect(page.get_by_test_id("order-lines")).to_contain_text("Team leotard — M")
    phone.check_page()
    guest = Family.objects.get(is_guest=True)
    assert Order.objects.get(family=guest).status == OrderStatus.CONFIRMED
    receipts = [m for m in mail.outbox if m.to == ["pat.visitor@example.com"]]
    assert len(receipts) == 1 and "Team leotard — M" in receipts[0].body
    page.goto("/demo/account/")
    expect(page).to_have_url(re.compile(r"/demo/login/"))  # no family page for a visitor

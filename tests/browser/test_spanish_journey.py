"""A Spanish-speaking parent on a phone: logs in, switches the MENU to Español, finds a class
for Leo, books it and pays with the sandbox gateway's card fields, entirely in Spanish (every
page checked with axe and the CSP at 390x844), and gets the receipt in Spanish."""

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
from springboard.families.models import Family
from tests.browser.conftest import log_in, show_only_openings

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
# Words of the chrome and the booking path; none may be left in English on a Spanish page.
ENGLISH = [
    r"\bMenu\b",
    r"\bCart\b",
    r"My Account",
    r"Log out",
    r"Add to cart",
    r"\bCheckout\b",
    r"Find the Right Class",
    r"Only classes with openings",
    r"Card number",
    r"Security code",
    r"What you are buying",
    r"Due now",
    r"Pay now",
    r"Skip to content",
    r"Location details",
    r"Openings",
    r"Thank you",
]


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def check_spanish(phone) -> None:
    phone.check_page()
    page = phone.page
    expect(page.locator("html")).to_have_attribute("lang", "es")
    text = page.locator("body").inner_text()
    left = [words for words in ENGLISH if re.search(words, text)]
    assert left == [], (page.url, left)


def test_a_parent_books_and_pays_a_class_entirely_in_spanish(phone, live_server):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_test_id("language-switch")
    expect(menu).to_be_visible()
    menu.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Menú")).to_be_visible()
    check_spanish(phone)
    assert Family.objects.get(email=DEMO_FAMILY.email).language == "es"

    page.get_by_test_id("tile-find_right_class").click()
    page.get_by_test_id("student-picker").get_by_role("link", name="Leo").click()
    show_only_openings(page, "Solo clases con lugares disponibles")
    courses = page.get_by_test_id("course")
    expect(courses.first).to_be_visible()
    check_spanish(phone)
    courses.first.locator("h2 a").click()
    check_spanish(phone)
    page.get_by_label("Leo").check()
    page.get_by_role("button", name="Agregar al carrito").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_have_count(1)
    check_spanish(phone)

    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    expect(page.get_by_test_id("order-line").first).to_be_visible()
    check_spanish(phone)
    for box in page.locator('input[name="policy"]').all():
        box.check()
    page.get_by_label("Una tarjeta nueva").check()
    page.get_by_label("Número de tarjeta").fill("4242 4242 4242 4242")
    page.get_by_label("Mes de vencimiento (MM)").fill("12")
    page.get_by_label("Año de vencimiento (AA)").fill("30")
    page.get_by_label("Código de seguridad").fill("123")
    page.get_by_test_id("pay").click()

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Pagado")
    check_spanish(phone)

    assert Order.objects.get().status == OrderStatus.CONFIRMED
    receipts = [m for m in mail.outbox if m.subject.startswith("Su recibo de")]
    assert len(receipts) == 1
    assert "¡Gracias!" in receipts[0].body

"""A family books and pays by keyboard alone (Tab, Shift+Tab, Enter, Space, and the arrow keys
a radio group answers to): dashboard → Find the Right Class → a class → Add to cart → the
cart → checkout → the sandbox gateway's card fields → Pay → the confirmation.

Every stop Tab makes on the way is checked: it is on screen and shows our focus ring, a solid
3 px outline (WCAG 2.4.7, 2.4.11); and the control wanted is reached within a bounded number
of presses, so a focus trap or a control the keyboard cannot reach fails the test.
"""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from springboard.checkout.models import Order, OrderStatus
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
MAX_PRESSES = 80

FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
            + (el.getAttribute("aria-label") || el.textContent || el.name || "")
                .trim().slice(0, 40),
        // Our ring (portal.css): a solid outline of 3 px. Bootstrap's own focus shadow is a 25 %
        // tint that does not reach 3:1, so it does not count.
        ring: style.outlineStyle === "solid" && parseFloat(style.outlineWidth) >= 3,
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
            && box.right > 0 && box.left < innerWidth,
    };
}"""


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def tab_to(page, target, *, backwards: bool = False) -> None:
    """Presses Tab (or Shift+Tab) until `target` has the focus; every stop on the way shows
    a focus ring and is on screen."""
    key = "Shift+Tab" if backwards else "Tab"
    # After a navigation the URL changes when the new page commits, before its stylesheet has
    # loaded; a Tab pressed then lands on a control without our ring yet. Wait for the load.
    page.wait_for_load_state("load")
    expect(target).to_be_attached()
    stops = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            continue  # the page itself, between the last control and the first
        stops.append(state["what"])
        assert state["ring"], f"no visible focus on {state['what']} ({page.url})"
        assert state["onScreen"], f"focus on {state['what']} is off screen ({page.url})"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{MAX_PRESSES} presses of {key} never reached {target}: {stops}")


def test_a_family_books_and_pays_by_keyboard_alone(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    # A fresh dashboard (Welcome Information shows once a visit): the first Tab offers Skip to
    # content, the toolbar comes next.
    page.goto("/demo/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Welcome back"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    tab_to(page, page.get_by_role("button", name="Menu"))

    tab_to(page, page.get_by_test_id("tile-find_right_class"))
    page.keyboard.press("Enter")
    leo = page.get_by_test_id("student-picker").get_by_role("link", name="Leo")
    tab_to(page, leo)
    page.keyboard.press("Enter")
    openings = page.get_by_label("Only classes with openings")  # tab_to waits for the load
    tab_to(page, openings)
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"openings=on"))
    first_class = page.get_by_test_id("course").first.locator("h2 a")
    expect(first_class).to_be_visible()
    tab_to(page, first_class)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/booking/classes/\d+/"))

    # Leo, the student the class was found for, comes ticked; Space would untick him.
    tab_to(page, page.get_by_label("Leo"))
    expect(page.get_by_label("Leo")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Add to cart"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_have_count(1)
    expect(page.locator("#sb-cart-count")).to_have_text("1")

    tab_to(page, page.get_by_test_id("checkout"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    for box in page.locator('input[name="policy"]').all():
        tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    # The default saved card is the group's choice (the server rendered it first and checked);
    # the arrow keys move within a radio group, to "A new card" after the saved ones.
    saved = page.locator('input[name="method"][value^="saved-"]')
    expect(saved.first).to_be_checked()
    tab_to(page, saved.first)
    for _ in range(saved.count()):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("A new card")).to_be_checked()
    card_number = page.get_by_label("Card number")
    tab_to(page, card_number)
    page.keyboard.type("4242 4242 4242 4242")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Expiry month (MM)")).to_be_focused()
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Security code")).to_be_focused()
    page.keyboard.type("123")
    # Back one field and forward again: Shift+Tab is not trapped either.
    tab_to(page, page.get_by_label("Expiry year (YY)"), backwards=True)
    tab_to(page, page.get_by_test_id("pay"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    assert Order.objects.get().status == OrderStatus.CONFIRMED
    phone.check_page()

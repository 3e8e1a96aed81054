"""The toolbar on a phone: one row in the reference's order (MENU, NEWS, PROSHOP when on,
MORE, LOCATION DETAILS, MY ACCOUNT, CART with its count), icons with names, and at 390x844
the toolbar and the location line take at most 120 px; the address and phone are one tap
(or one Enter) away."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_ORDER = ["Menu", "News", "ProShop", "More", "Location details", "My Account", "Cart"]


def expect_one_row(page, names: list[str]) -> list[dict]:
    tools = page.get_by_test_id("toolbar").locator(".sb-tool")
    expect(tools).to_have_count(len(names))
    boxes = []
    for index, name in enumerate(names):
        expect(tools.nth(index)).to_have_accessible_name(re.compile(rf"^{re.escape(name)}\b"))
        boxes.append(tools.nth(index).bounding_box())
    width = page.viewport_size["width"]
    for name, box in zip(names, boxes, strict=True):
        assert box["width"] >= 24 and box["height"] >= 24, (name, box)  # WCAG 2.5.8
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert abs(box["y"] - boxes[0]["y"]) < 1, f"{name} is on another row: {boxes}"
    lefts = [box["x"] for box in boxes]
    assert lefts == sorted(lefts)
    return boxes


def test_the_toolbar_is_one_row_in_the_reference_order_on_a_phone(phone):
    data.load(now=timezone.now())
    page = phone.page
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    expect_one_row(page, DEMO_ORDER)
    cart = page.get_by_role("link", name=re.compile("^Cart"))
    expect(cart).to_have_accessible_name("Cart 0 items")
    # Icons only at 390 px: the labels are names for screen readers, not text on screen.
    assert (
        page.get_by_test_id("toolbar").locator(".sb-tool-label").first.bounding_box()["width"] <= 1
    )
    header = page.locator("header.sb-toolbar").bounding_box()
    assert header["y"] == 0 and header["height"] <= 120, header
    location = page.get_by_test_id("current-location")
    expect(location).to_contain_text("Main Street")
    expect(location.get_by_role("link", name="(217) 555-0140")).to_be_visible()

    # LOCATION DETAILS by keyboard: the whole address, the phone and the switch, then back.
    details = page.get_by_role("button", name="Location details")
    details.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Location details")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("1200 Main Street")
    expect(dialog.get_by_role("link", name="(217) 555-0140")).to_have_attribute(
        "href", "tel:(217) 555-0140"
    )
    phone.check_page()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()

    # Wider screens show the labels (under the icons, then beside them), still one row.
    for width in (576, 768, 992, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        expect_one_row(page, DEMO_ORDER)
        label = page.get_by_test_id("toolbar").get_by_text("Location details")
        expect(label).to_be_visible()
        assert label.bounding_box()["width"] > 24, width


def test_without_the_proshop_or_locations_the_row_is_shorter(phone):
    data.load(now=timezone.now())
    page = phone.page
    page.goto("/riverside/news/")
    expect_one_row(page, ["Menu", "News", "More", "My Account", "Cart"])
    expect(page.get_by_test_id("current-location")).to_have_count(0)
    assert page.locator("header.sb-toolbar").bounding_box()["height"] <= 120

"""On a phone: the demo family buys a $50 eGift Card for a friend through the cart and
checkout; the friend's email holds the code; the friend (the Chen family, another demo login)
applies it at checkout of a class, and the card's balance drops by the amount it paid."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY, TWO_GYMS_FAMILY
from springboard.giftcards.models import GiftCard
from tests.browser.conftest import PhonePage, log_in
from tests.browser.test_checkout_journey import add_class_for, pay_with

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")
VISA = "4242 4242 4242 4242"


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def test_a_gift_card_bought_by_one_family_pays_for_anothers_class(phone, browser, live_server):
    data.load(now=timezone.now())
    page = phone.page
    page.set_default_timeout(10_000)
    page.clock.install(time=timezone.now())
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)

    page.get_by_role("button", name="Menu").click()
    page.locator("#sb-menu").get_by_role("link", name="eGift Cards").first.click()
    expect(page).to_have_url(re.compile(r"/demo/egift-cards/$"))
    expect(page.get_by_test_id("gift-amounts")).to_contain_text("$110.00")
    phone.check_page()
    page.get_by_label("$50.00", exact=True).check()
    page.get_by_label("Recipient's name").fill("Wei Chen")
    page.get_by_label("Recipient's email").fill(TWO_GYMS_FAMILY.email)
    page.get_by_label("From (your name)").fill("Ana Rivera")
    page.get_by_label("Message").fill("For Lily's next class!")
    page.get_by_test_id("add-gift-card").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    expect(page.get_by_test_id("cart-item")).to_contain_text("Wei Chen")
    phone.check_page()
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    phone.check_page()
    pay_with(phone, VISA)
    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    shown = page.get_by_test_id("gift-code")
    expect(shown).to_have_text(CODE)
    phone.check_page()

    card = GiftCard.objects.get()
    assert card.balance() == Decimal("50.00")
    # The Chen family gets other demo mail too (e.g. its autopay notices): the card's email
    # is the one holding a code.
    gift_email = next(
        m for m in mail.outbox if m.to == [TWO_GYMS_FAMILY.email] and CODE.search(m.body)
    )
    code = CODE.search(gift_email.body).group(0)
    assert code == shown.inner_text()

    friend = PhonePage(browser, live_server.url)
    try:
        other = friend.page
        other.set_default_timeout(10_000)
        other.clock.install(time=timezone.now())
        log_in(friend, TWO_GYMS_FAMILY.email, TWO_GYMS_FAMILY.password)
        add_class_for(friend, "Lily")
        other.get_by_test_id("checkout").click()
        expect(other).to_have_url(re.compile(r"/demo/cart/checkout/$"))
        other.get_by_label("eGift Card code").fill(code.lower())
        other.get_by_test_id("apply-gift-card").click()
        expect(other.get_by_test_id("gift-use")).to_contain_text(card.last4)
        friend.check_page()
        used = Decimal(
            other.get_by_test_id("gift-use")
            .locator("strong")
            .inner_text()
            .replace("−", "")
            .replace("$", "")
        )
        assert Decimal("0") < used <= Decimal("50.00")
        if used < Decimal("50.00"):  # the class cost less than the card: nothing left to pay
            pay_button = other.get_by_test_id("pay")
            for box in other.locator('input[name="policy"]').all():
                box.check()
            pay_button.click()
        else:
            pay_with(friend, VISA)
        expect(other).to_have_url(re.compile(r"/demo/orders/\d+/$"))
        expect(other.get_by_test_id("order-status")).to_contain_text("Paid")
        friend.check_page()
        assert card.balance() == Decimal("50.00") - used
    finally:
        friend.context.close()

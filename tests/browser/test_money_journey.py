"""The demo family on a phone: the outstanding notice leads to Payments; it applies its credit
to the charge, pays the rest with its saved card, the notice is gone and Coming Up! lists the
next class."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from springboard.billing.models import Charge
from springboard.booking.models import Enrollment
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from springboard.demo.money import outstanding_description
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2027, 1, 5, 18, tzinfo=UTC)  # the demo is loaded on this day


@pytest.fixture(autouse=True)
def _january_2027():
    with time_machine.travel(START, tick=True):
        yield


def test_the_demo_family_settles_up_and_sees_what_is_coming(phone):
    data.load(now=timezone.now())
    enrollment = Enrollment.objects.get(
        student__family__email=DEMO_FAMILY.email,
        student__organization__account_name="demo",
        status="active",
    )
    page = phone.page
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
    notice = page.get_by_test_id("outstanding-notice")
    expect(notice).to_contain_text("$60.00")
    phone.check_page()

    notice.get_by_role("link", name="Pay now").click()
    expect(page).to_have_url(re.compile(r"/demo/account/payments/$"))
    expect(page.get_by_test_id("credit")).to_have_text("$25.00")
    phone.check_page()

    outstanding = Charge.objects.get(description=outstanding_description(START.date()))
    credit_form = page.get_by_test_id("credit-form")
    credit_form.get_by_label("Charge").select_option(value=str(outstanding.pk))
    credit_form.get_by_label("Amount", exact=True).fill("25.00")
    credit_form.get_by_role("button", name="Apply credit").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Applied $25.00")
    expect(page.get_by_test_id("owed")).to_have_text("$35.00")
    phone.check_page()

    expect(page.get_by_label(re.compile("Visa ••••4242"))).to_be_checked()
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("messages")).to_contain_text("We received $35.00")
    expect(page.get_by_test_id("nothing-owed")).to_be_visible()
    phone.check_page()

    page.goto("/demo/dashboard/")
    expect(page.get_by_test_id("outstanding-notice")).to_have_count(0)
    expect(page.get_by_test_id("coming-up-item").first).to_contain_text(enrollment.course.name)
    phone.check_page()

    page.goto("/demo/account/history/")
    expect(page.get_by_test_id("history")).to_contain_text("Applied to Tuition, February 2027")
    phone.check_page()
    page.goto("/demo/account/statement/?start=2026-01-01&end=2027-12-31")
    expect(page.get_by_test_id("closing")).to_have_text("$0.00")
    phone.check_page()
    page.goto("/demo/account/payment-methods/")
    expect(page.get_by_test_id("payment-methods")).to_contain_text("••••4242")
    phone.check_page()

"""Autopay on a phone: the demo family sees on Payments that autopay is on with its Visa and
what is coming up; a month later (the clock moved to 1 February, housekeeping ran the billing
run and autopay) Payments shows February's tuition paid by autopay."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from springboard.billing.models import Charge, ChargeKind
from springboard.booking.models import Enrollment
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
LOADED = datetime(2027, 1, 20, 18, tzinfo=UTC)  # the demo's current term runs into February
A_MONTH_ON = datetime(2027, 2, 1, 15, tzinfo=UTC)  # 9:00 in Chicago on the billing day


def test_next_month_s_tuition_is_paid_by_autopay(phone):
    with time_machine.travel(LOADED, tick=True):
        data.load(now=timezone.now())
        page = phone.page
        log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
        page.goto("/demo/account/payments/")
        expect(page.get_by_test_id("autopay-status")).to_contain_text("Visa ••••4242")
        expect(page.get_by_test_id("upcoming")).to_contain_text("Tuition, February 2027 (demo)")
        phone.check_page()

    enrollment = Enrollment.objects.get(
        student__family__email=DEMO_FAMILY.email,
        student__organization__account_name="demo",
        status="active",
    )
    with time_machine.travel(A_MONTH_ON, tick=True):
        call_command("housekeeping")  # autopay, then the billing run posts February
        call_command("housekeeping")  # autopay collects what the run posted
        february = Charge.objects.get(
            kind=ChargeKind.TUITION,
            student=enrollment.student,
            idempotency_key__startswith="tuition-enrollment-",
        )
        page.goto("/demo/account/payments/")
        paid = page.get_by_test_id("autopay-paid")
        expect(paid).to_contain_text(february.render_description())
        expect(paid).to_contain_text("February 2027")
        expect(page.get_by_test_id("nothing-owed")).to_be_visible()
        phone.check_page()

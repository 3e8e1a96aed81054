"""A parent drops a class on a phone where drops are automatic (the organization's default
rules): My Account → Drop shows when it takes effect and what happens to money, one button
drops it; when the drop takes effect (1 February, housekeeping ran) the family waiting for
the full class gets the offer email."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from springboard.booking.models import DropRules, Enrollment, WaitlistEntry
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
LOADED = datetime(2027, 1, 20, 18, tzinfo=UTC)  # the demo's current term runs into February
DROP_TAKES_EFFECT = datetime(2027, 2, 1, 6, 30, tzinfo=UTC)  # 00:30 in Chicago


def test_a_parent_drops_a_class_and_the_waitlisted_family_gets_the_offer(phone):
    with time_machine.travel(LOADED, tick=True):
        data.load(now=timezone.now())
        enrollment = (
            Enrollment.objects.filter(
                student__family__email=DEMO_FAMILY.email,
                student__organization__account_name="demo",
                status="active",
            )
            .select_related("course", "student")
            .first()
        )
        course = enrollment.course
        # The demo makes Swim Lessons' drops requests (test_change_of_plans_journey.py); here
        # the defaults hold: automatic, at the end of the month. The class is full and a
        # neighbour's child waits for it (the demo as loaded).
        DropRules.objects.filter(organization=course.organization).delete()
        waiting = (
            WaitlistEntry.objects.select_related("family")
            .get(course=course, status="waiting")
            .family
        )

        page = phone.page
        log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
        page.goto("/demo/account/")
        page.get_by_role(
            "link", name=f"Drop {course.name} ({enrollment.student.first_name})"
        ).click()
        expect(page.get_by_role("heading", name="Drop a class")).to_be_visible()
        expect(page.get_by_test_id("drop-effective")).to_contain_text("2027")
        expect(page.get_by_test_id("drop-money")).to_contain_text("No more tuition is charged")
        phone.check_page()
        page.get_by_role("button", name=f"Drop {course.name}").click()
        expect(page).to_have_url(re.compile(r"/demo/account/$"))
        expect(page.get_by_test_id("enrollments")).to_contain_text("Dropped: no classes from")
        phone.check_page()
        call_command("housekeeping")
        assert not [m for m in mail.outbox if waiting.email in m.to]  # the seat is still theirs

    with time_machine.travel(DROP_TAKES_EFFECT, tick=True):
        call_command("housekeeping")
    offers = [m for m in mail.outbox if waiting.email in m.to]
    assert len(offers) == 1
    assert "/demo/waitlist/offers/" in offers[0].body

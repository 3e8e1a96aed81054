"""A parent drops a class on a phone where drops are requests staff approve: My Account →
Drop shows the end of the month and the money, "Ask to drop" sends the request, My Account
shows it waiting; staff approve it in the admin's activity queue with a note; the family
gets the decision email and sees "Approved"; when the drop takes effect (1 February,
housekeeping ran) the family waiting for the full class gets the offer email."""

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
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories
from tests.browser.conftest import PhonePage, log_in

pytestmark = pytest.mark.django_db(transaction=True)
LOADED = datetime(2027, 1, 20, 18, tzinfo=UTC)  # the demo's current term runs into February
DROP_TAKES_EFFECT = datetime(2027, 2, 1, 6, 30, tzinfo=UTC)  # 00:30 in Chicago


def test_a_drop_request_is_approved_in_the_queue_and_the_seat_goes_to_the_waitlist(
    phone, browser, live_server
):
    with time_machine.travel(LOADED, tick=True):
        data.load(now=timezone.now())
        enrollment = (
            Enrollment.objects.filter(
                student__family__email=DEMO_FAMILY.email,
                student__organization__account_name="demo",
                status="active",
            )
            .select_related("course__organization", "student")
            .first()
        )
        course = enrollment.course
        organization = course.organization
        DropRules.objects.filter(organization=organization).delete()
        DropRules.objects.create(organization=organization, approval="request")
        course.capacity = (
            Enrollment.objects.filter(course=course).holding_place(timezone.now()).count()
        )
        course.waitlist_allowed = True
        course.save()
        waiting = family_factories.family(organization, last_name="Waiting")
        kid = family_factories.student(waiting, birth_date=enrollment.student.birth_date)
        WaitlistEntry.objects.create(
            organization=organization,
            family=waiting,
            student=kid,
            course=course,
            joined_at=timezone.now(),
        )
        staff = factories.staff_user(organization, StaffRole.STAFF)

        page = phone.page
        log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
        page.goto("/demo/account/")
        name = enrollment.student.first_name
        page.get_by_role("link", name=f"Drop {course.name} ({name})").click()
        expect(page.get_by_test_id("drop-effective")).to_contain_text("2027")
        expect(page.get_by_test_id("drop-request-note")).to_be_visible()
        phone.check_page()
        page.get_by_role("button", name=f"Ask to drop {course.name}").click()
        expect(page).to_have_url(re.compile(r"/demo/account/$"))
        expect(page.get_by_test_id("change-pending")).to_contain_text("waiting for approval")
        expect(page.get_by_test_id("change-status")).to_have_text("Waiting for approval")
        phone.check_page()

        # Staff, in the admin on their own device: the queue opens on what is pending.
        desk = PhonePage(browser, live_server.url)
        page = desk.page
        page.goto("/admin/login/")
        page.get_by_label("Email").fill(staff.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/admin/booking/changerequest/")
        page.get_by_role("link", name="Approve or deny").click()
        expect(page.get_by_test_id("change-status")).to_have_text("Waiting for approval")
        desk.check_page()  # the decide page: axe and CSP as the family's pages
        page.get_by_label("Note to the family (optional)").fill("We will miss you")
        page.get_by_role("button", name="Approve").click()
        expect(page).to_have_url(re.compile(r"/admin/booking/changerequest/$"))
        decided = [
            m for m in mail.outbox if DEMO_FAMILY.email in m.to and "approved" in m.subject.lower()
        ]
        assert len(decided) == 1 and decided[0].subject.startswith("Approved")
        assert "We will miss you" in decided[0].body

        desk.context.close()
        page = phone.page
        page.goto("/demo/account/")
        expect(page.get_by_test_id("change-status").first).to_have_text("Approved")
        expect(page.get_by_test_id("enrollments")).to_contain_text("Dropped: no classes from")
        phone.check_page()
        call_command("housekeeping")
        assert not [m for m in mail.outbox if waiting.email in m.to]  # still theirs this month

    with time_machine.travel(DROP_TAKES_EFFECT, tick=True):
        call_command("housekeeping")
    offers = [m for m in mail.outbox if waiting.email in m.to]
    assert len(offers) == 1
    assert "/demo/waitlist/offers/" in offers[0].body

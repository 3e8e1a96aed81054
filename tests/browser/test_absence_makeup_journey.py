"""A parent on a phone marks next week's class absent (My Account → Absences), books a makeup
on another day with the credit (My Account → Makeups), and sees both in Coming Up!: the
absent class struck through and labelled "Absent", the makeup as an extra class labelled
"Makeup" (docs/booking.md, "Absences and makeups")."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from springboard.attendance import services
from springboard.booking.models import Enrollment
from springboard.catalog import schedule
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
LOADED = datetime(2027, 1, 20, 18, tzinfo=UTC)  # the demo's current term runs into February


def _label(day) -> str:
    return date_format(day, "D, M j")


def test_a_parent_marks_next_weeks_class_absent_and_books_a_makeup(phone):
    with time_machine.travel(LOADED, tick=True):
        data.load(now=timezone.now())
        enrollment = (
            Enrollment.objects.filter(
                student__family__email=DEMO_FAMILY.email,
                student__organization__account_name="demo",
                status="active",
            )
            .select_related("course__location", "student")
            .first()
        )
        course, student = enrollment.course, enrollment.student
        zone = schedule.location_zone(course)
        today = timezone.now().astimezone(zone).date()
        closures = schedule.closures_for(course.organization, location_ids=[course.location_id])
        next_week = schedule.first_meeting_on_or_after(course, closures, today + timedelta(days=7))
        assert next_week is not None and next_week <= today + timedelta(days=13)

        page = phone.page
        log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
        page.goto("/demo/account/")
        page.get_by_role("link", name=f"Absences {course.name} ({student.first_name})").click()
        expect(page.get_by_role("heading", name="Absences")).to_be_visible()
        phone.check_page()
        page.get_by_role("button", name=f"Mark absent on {_label(next_week)}").click()
        expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
            "marked absent"
        )
        expect(
            page.get_by_role("button", name=f"Undo the absence on {_label(next_week)}")
        ).to_be_visible()
        phone.check_page()

        # The credit books a class on another day within the next two weeks.
        credit = services.credits_of(student, now=timezone.now()).get()
        option = next(
            o
            for o in services.makeup_options(student, credit, now=timezone.now())
            if o.day != next_week and o.day <= today + timedelta(days=13)
        )
        page.goto("/demo/account/")
        page.get_by_test_id("makeups-link").click()
        expect(page.get_by_role("heading", name="Makeups")).to_be_visible()
        expect(page.get_by_test_id("makeup-credits")).to_contain_text("1 makeup credit")
        phone.check_page()
        page.get_by_role(
            "button",
            name=(
                f"Book makeup: {student.first_name}, {option.course.name}, "
                f"{date_format(option.starts_at, 'D, M j g:i A')}, {option.course.location.name}"
            ),
            exact=True,
        ).click()
        expect(page.get_by_test_id("makeups-booked")).to_contain_text(option.course.name)
        phone.check_page()

        page.goto("/demo/dashboard/")
        coming_up = page.get_by_test_id("coming-up")
        absent = coming_up.locator("[data-status=absent]")
        expect(absent).to_contain_text("Absent")
        expect(absent).to_contain_text(course.name)
        expect(absent.locator("s")).to_contain_text(_label(next_week).split(", ")[1])
        makeup = coming_up.locator("[data-status=makeup]")
        expect(makeup).to_contain_text("Makeup")
        expect(makeup).to_contain_text(option.course.name)
        expect(page).to_have_url(re.compile(r"/demo/dashboard/$"))
        phone.check_page()

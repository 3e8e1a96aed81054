"""A change of plans, on a phone, in the demo as loaded (docs/demo.md, "A change of plans"):
the Rivera parent marks next week's class absent (My Account → Absences), books a makeup on
another day with the credit (My Account → Makeups) and sees both in Coming Up!; then drops
the class at the end of the month, where Swim Lessons' drops are requests (My Account → Drop
shows the date and "Ask to drop" sends the request). The demo's coach approves it in the
admin's activity queue with a note; the family gets the decision email and sees "Approved";
when the drop takes effect (the first of next month, housekeeping ran) the neighbours'
child waiting for the full class gets the offer email."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from springboard.attendance import services
from springboard.booking.models import Enrollment, WaitlistEntry
from springboard.catalog import schedule
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from tests.browser.conftest import PhonePage, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _days_of_the_story(now: datetime) -> tuple[datetime, date, datetime]:
    """Relative to the session's clock: the second Wednesday of next month (noon or 1 pm in
    Chicago), so next week's meeting and the makeup fall before that month ends; the first
    of the month after, the day the drop takes effect; 06:30 UTC is after midnight there."""
    first = (now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    wednesday = first + timedelta(days=(2 - first.weekday()) % 7 + 7)
    month_end = (wednesday.replace(day=1) + timedelta(days=32)).replace(day=1)
    loaded = datetime.combine(wednesday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)
    takes_effect = datetime.combine(month_end, datetime.min.time(), tzinfo=UTC)
    return loaded, month_end, takes_effect + timedelta(hours=6, minutes=30)


def _label(day) -> str:
    return date_format(day, "D, M j")


def _mark_next_week_absent(phone: PhonePage, course, student, next_week: date) -> None:
    page = phone.page
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


def _book_a_makeup(phone: PhonePage, option, student) -> None:
    page = phone.page
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


def _coming_up_shows_both(phone: PhonePage, course, option, next_week: date) -> None:
    page = phone.page
    page.goto("/demo/dashboard/")
    coming_up = page.get_by_test_id("coming-up")
    absent = coming_up.locator("[data-status=absent]")
    expect(absent).to_contain_text("Absent")
    expect(absent).to_contain_text(course.name)
    expect(absent.locator("s")).to_contain_text(_label(next_week).split(", ")[1])
    makeup = coming_up.locator("[data-status=makeup]")
    expect(makeup).to_contain_text("Makeup")
    expect(makeup).to_contain_text(option.course.name)
    phone.check_page()


def _ask_to_drop(phone: PhonePage, course, student, effective: date) -> None:
    page = phone.page
    page.goto("/demo/account/")
    page.get_by_role("link", name=f"Drop {course.name} ({student.first_name})").click()
    expect(page.get_by_role("heading", name="Drop a class")).to_be_visible()
    expect(page.get_by_test_id("drop-effective")).to_have_text(
        date_format(effective, "DATE_FORMAT")
    )
    expect(page.get_by_test_id("drop-request-note")).to_contain_text("approved by our staff")
    phone.check_page()
    page.get_by_role("button", name=f"Ask to drop {course.name}").click()
    expect(page).to_have_url(re.compile(r"/demo/account/$"))
    expect(page.get_by_test_id("change-pending")).to_contain_text("waiting for approval")
    expect(page.get_by_test_id("change-status")).to_have_text("Waiting for approval")
    phone.check_page()


def _staff_approve_in_the_queue(browser, live_server, course) -> None:
    """The demo's coach, in the admin on their own device: the queue opens on what is
    pending."""
    desk = PhonePage(browser, live_server.url)
    page = desk.page
    page.goto("/admin/login/")
    page.get_by_label("Email").fill(data.DEMO_STAFF.email)
    page.get_by_label("Password").fill(data.DEMO_STAFF.password)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/booking/changerequest/")
    request = page.get_by_role("row").filter(has=page.get_by_role("link", name="Approve or deny"))
    expect(request).to_have_count(1)
    expect(request).to_contain_text("The Rivera Family")
    expect(request).to_contain_text(course.name)
    desk.check_page()
    page.get_by_role("link", name="Approve or deny").click()
    expect(page.get_by_test_id("change-status")).to_have_text("Waiting for approval")
    desk.check_page()  # the decide page: axe and CSP as the family's pages
    page.get_by_label("Note to the family (optional)").fill("We will miss Mia in the pool")
    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(re.compile(r"/admin/booking/changerequest/$"))
    expect(page.get_by_role("link", name="Approve or deny")).to_have_count(0)
    desk.check_page()
    desk.context.close()


def test_absence_makeup_then_a_drop_staff_approve_and_the_seat_goes_to_the_waitlist(
    phone, browser, live_server
):
    loaded, month_end, drop_takes_effect = _days_of_the_story(timezone.now())
    with time_machine.travel(loaded, tick=True):
        data.load(now=timezone.now())
        enrollment = (
            Enrollment.objects.filter(
                student__family__email=DEMO_FAMILY.email,
                student__organization__account_name="demo",
                status="active",
            )
            .select_related("course__location", "student")
            .order_by("pk")
            .first()
        )
        course, student = enrollment.course, enrollment.student
        # The demo as loaded: the class is full and a neighbour's child waits for it.
        waiting = WaitlistEntry.objects.select_related("family").get(
            course=course, status="waiting"
        )
        zone = schedule.location_zone(course)
        today = timezone.now().astimezone(zone).date()
        closures = schedule.closures_for(course.organization, location_ids=[course.location_id])
        next_week = schedule.first_meeting_on_or_after(course, closures, today + timedelta(days=7))
        assert next_week is not None and next_week < month_end

        log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
        _mark_next_week_absent(phone, course, student, next_week)
        # The credit books another class on another day within the next two weeks.
        credit = services.credits_of(student, now=timezone.now()).get()
        option = next(
            o
            for o in services.makeup_options(student, credit, now=timezone.now())
            if o.day != next_week and o.day <= today + timedelta(days=13)
        )
        assert option.course != course
        _book_a_makeup(phone, option, student)
        _coming_up_shows_both(phone, course, option, next_week)

        _ask_to_drop(phone, course, student, month_end)
        _staff_approve_in_the_queue(browser, live_server, course)
        decided = [m for m in mail.outbox if DEMO_FAMILY.email in m.to]
        decided = [m for m in decided if m.subject.startswith("Approved")]
        assert len(decided) == 1
        assert "We will miss Mia in the pool" in decided[0].body

        page = phone.page
        page.goto("/demo/account/")
        expect(page.get_by_test_id("change-status").first).to_have_text("Approved")
        expect(page.get_by_test_id("enrollments")).to_contain_text("Dropped: no classes from")
        phone.check_page()
        call_command("housekeeping")
        assert not [m for m in mail.outbox if waiting.family.email in m.to]  # still Mia's

    with time_machine.travel(drop_takes_effect, tick=True):
        call_command("housekeeping")
    offers = [m for m in mail.outbox if waiting.family.email in m.to]
    assert [m.subject for m in offers] == [f"A seat is free in {course.name}"]
    assert "/demo/waitlist/offers/" in offers[0].body

"""The demo is anchored to the day it is loaded: loaded today, in three months, six months, a
year or five and a half years, it has a live term the Rivera family is in, open registration
for the next term, camps, parties, a valid card, money owed and a change of plans to try."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from springboard.attendance.rules import rules_for
from springboard.billing import balances
from springboard.booking.models import Enrollment, WaitlistEntry, drop_rules
from springboard.catalog.availability import (
    with_course_places_taken,
    with_event_day_places_taken,
    with_party_slot_bookings,
)
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Course, EventDay, PartySlot, Term
from springboard.catalog.schedule import closures_for
from springboard.demo.dates import local_today, season_name
from springboard.demo.families import DEMO_FAMILY
from springboard.demo.waitingroom import TERM_PREFIX
from springboard.families.models import Family
from springboard.portal.coming_up import coming_up
from springboard.tenancy.models import Organization

pytestmark = pytest.mark.django_db

DAYS_AHEAD = [0, 90, 180, 365, 2000]


def _local(moment: datetime, organization) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()


def _assert_a_live_term_and_open_registration_for_the_next(demo, rivera, now, today):
    current = Term.objects.get(organization=demo, start_date__lte=today, end_date__gte=today)
    following = Term.objects.exclude(name__startswith=TERM_PREFIX).get(
        organization=demo, start_date__gt=today
    )
    assert 21 <= (today - current.start_date).days <= 27, "started about three weeks ago"
    assert (current.end_date - today).days >= 28
    assert current.enrollment_is_open(now), "mid-term enrollment (prorated) is open"
    assert 28 <= (following.start_date - today).days <= 42, "starts in four to six weeks"
    assert _local(following.enrollment_opens_at, demo) == today - timedelta(days=1)
    assert following.enrollment_is_open(now)
    for term in (current, following):
        assert season_name(term.start_date) in term.name

    courses = with_course_places_taken(
        Course.objects.filter(term=following).select_related("term", "location"), now=now
    )
    closures = closures_for(demo)
    students = list(rivera.students.all())
    assert any(
        check_student(course, student, today=today, now=now, closures=closures).eligible
        for course in courses.filter(places_left__gt=0)
        for student in students
    ), "a Rivera child can book a class of the next term"
    assert courses.filter(capacity__gt=0, places_left=0, waitlist_entries__isnull=False).exists()
    assert courses.filter(places_left=1).exists()
    assert rivera.students.filter(
        enrollments__course__term=current, enrollments__status="active"
    ).exists()


def _assert_a_change_of_plans_to_try(demo, rivera, now):
    """docs/demo.md, "A change of plans": absences and makeups online; the Rivera class's
    drop is a request staff approve; the class is full and another family waits for it."""
    enrollment = (
        Enrollment.objects.filter(student__family=rivera, status="active")
        .select_related("course__program")
        .order_by("pk")
        .first()
    )
    course = enrollment.course
    rules = rules_for(course)
    assert rules.absences_online and rules.makeups_allowed
    assert drop_rules(demo, course.program).approval == "request"
    assert Enrollment.objects.filter(course=course).holding_place(now).count() == course.capacity
    waiting = WaitlistEntry.objects.get(course=course, status="waiting")
    assert waiting.family != rivera and waiting.family.email


def _assert_a_camp_day_and_a_party_slot_ahead_with_openings(demo, now, today):
    days = with_event_day_places_taken(
        EventDay.objects.filter(event__organization=demo, date__gt=today), now=now
    )
    assert days.filter(places_left__gt=0, event__single_days_bookable=True).exists()
    assert days.filter(date__lte=today + timedelta(weeks=3)).exists(), "in the coming weeks"
    slots = with_party_slot_bookings(PartySlot.objects.filter(organization=demo), now=now)
    assert not slots.filter(starts_at__lte=now).exists()
    assert slots.filter(bookings=0).exists()
    saturdays = {_local(slot.starts_at, demo) for slot in slots}
    assert len([day for day in saturdays if day.weekday() == 5]) == 6, "the next six weekends"


def _assert_coming_up_a_valid_card_and_money_owed(client, rivera, now, today):
    assert any(item.kind == "class" for item in coming_up(rivera, now=now))
    card = rivera.payment_methods.get()
    assert (card.exp_year, card.exp_month) == (today.year + 3, today.month)
    assert balances.balance(rivera) > 0

    client.force_login(rivera.guardians.get(is_primary=True).user)
    page = client.get("/demo/dashboard/").content.decode()
    assert 'data-testid="outstanding-notice"' in page
    assert 'data-testid="coming-up-item"' in page


@pytest.mark.parametrize("days_ahead", DAYS_AHEAD, ids=[f"today+{d}" for d in DAYS_AHEAD])
def test_the_demo_loaded_on_any_day_is_live_bookable_and_owed(client, days_ahead):
    with time_machine.travel(timezone.now() + timedelta(days=days_ahead), tick=False):
        call_command("load_demo", i_know_this_is_not_production=True)
        now = timezone.now()
        demo = Organization.objects.get(account_name="demo")
        today = local_today(now, demo.time_zone)
        rivera = Family.objects.get(organization=demo, email=DEMO_FAMILY.email)

        _assert_a_live_term_and_open_registration_for_the_next(demo, rivera, now, today)
        _assert_a_camp_day_and_a_party_slot_ahead_with_openings(demo, now, today)
        _assert_coming_up_a_valid_card_and_money_owed(client, rivera, now, today)
        _assert_a_change_of_plans_to_try(demo, rivera, now)

"""A family drops a class (docs/booking.md, "Drops"): the organization's rules decide when it
takes effect; until then the seat is held and billed, from then on neither; the waitlist gets
the freed seat; the Drop page shows the consequence first, and two clicks drop once."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Charge, ChargeKind, ChargeVoid, Payment
from springboard.booking import drops, waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.models import (
    DropRules,
    Enrollment,
    EnrollmentStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from springboard.core.housekeeping import jobs
from springboard.tuition import drops as drop_money
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

TERM = {"start_date": date(2027, 1, 4), "end_date": date(2027, 3, 27)}  # Mondays: 4,4,4


def _rules(org, **fields) -> DropRules:
    return DropRules.objects.create(organization=org, **fields)


@pytest.fixture
def enrolled(org):
    """Maya enrolled on 12 January through checkout (half of January charged and paid)."""
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00", capacity=1)
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    return family, Enrollment.objects.get(student=maya, course=course)


def _plan(enrollment, family, when):
    with time_machine.travel(when, tick=False):
        return drops.plan_drop(enrollment, family=family, now=timezone.now())


def _drop(enrollment, family, when):
    with time_machine.travel(when, tick=False):
        return drop_money.drop(enrollment, family=family, now=timezone.now())


def _run(when):
    with time_machine.travel(when, tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())


def _tuition(family):
    return list(
        Charge.objects.filter(family=family, kind=ChargeKind.TUITION, void__isnull=True)
        .order_by("due_date")
        .values_list("due_date", "amount")
    )


def _left(course, when) -> int:
    return course_openings(Course.objects.get(pk=course.pk), now=when).unheld


# --- when a drop takes effect ------------------------------------------------------------
def test_by_default_a_drop_takes_effect_at_the_end_of_the_month(org, enrolled):
    family, enrollment = enrolled
    plan = _plan(enrollment, family, at(2027, 1, 20))
    assert plan.effective_on == date(2027, 2, 1)
    assert plan.effective_at == datetime(2027, 2, 1, tzinfo=catalog.CHICAGO)
    assert plan.last_meeting == date(2027, 1, 25)
    # On the month's last evening, still the next first.
    assert _plan(enrollment, family, at(2027, 1, 31, hour=23)).effective_on == date(2027, 2, 1)


def test_with_n_days_notice_the_meetings_closer_than_that_stay(org, enrolled):
    family, enrollment = enrolled
    _rules(org, notice="days", notice_days=7)
    # Wednesday 20 January: Monday 25th is 5 days away (stays), 1 February is the first gone.
    assert _plan(enrollment, family, at(2027, 1, 20)).effective_on == date(2027, 2, 1)
    # Monday 18th, in the morning: the 25th is exactly 7 days away, so it is the first gone.
    plan = _plan(enrollment, family, at(2027, 1, 18, hour=9))
    assert plan.effective_on == date(2027, 1, 25)
    assert plan.last_meeting == date(2027, 1, 18)


def test_past_the_cut_off_the_family_is_told_and_nothing_changes(org, enrolled):
    family, enrollment = enrolled
    with pytest.raises(drops.DropTooLate, match="too late"):
        _plan(enrollment, family, at(2027, 3, 10))  # the term ends before 1 April
    DropRules.objects.filter(organization=org).delete()
    _rules(org, notice="days", notice_days=7)
    with pytest.raises(drops.DropTooLate, match="less than 7 days away"):
        _drop(enrollment, family, at(2027, 3, 18))  # the last Monday (22nd) is 4 days away
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


def test_drops_not_allowed_online_are_refused_with_a_message(org, enrolled):
    family, enrollment = enrolled
    _rules(org, online=False)
    with pytest.raises(drops.DropsOffline, match="contact us"):
        _drop(enrollment, family, at(2027, 1, 20))
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


# --- billing until the drop takes effect, and not after ------------------------------------
def test_a_drop_at_the_end_of_january_stops_february(org, enrolled):
    family, enrollment = enrolled
    _drop(enrollment, family, at(2027, 1, 20))
    _run(at(2027, 2, 1, hour=0))
    _run(at(2027, 3, 1, hour=0))
    assert _tuition(family) == [(date(2027, 1, 12), Decimal("40.00"))]


def test_a_drop_taking_effect_in_march_is_billed_for_february_and_not_after(org, enrolled):
    family, enrollment = enrolled
    _drop(enrollment, family, at(2027, 2, 10))
    _run(at(2027, 2, 1, hour=0))  # a late run of February: the drop takes effect 1 March
    _run(at(2027, 3, 1, hour=0))
    assert [d for d, _ in _tuition(family)] == [date(2027, 1, 12), date(2027, 2, 1)]


def test_a_month_already_billed_after_the_drop_is_voided(org, enrolled):
    """Billing day 25 bills March on 25 February; a drop on the 26th takes effect 1 March:
    March's charge is not owed any more."""
    from springboard.billing.autopay_models import BillingSettings

    family, enrollment = enrolled
    BillingSettings.objects.create(organization=org, billing_day=25)
    _run(at(2027, 1, 25, hour=1))
    _run(at(2027, 2, 25, hour=1))
    assert [d for d, _ in _tuition(family)] == [
        date(2027, 1, 12),
        date(2027, 2, 1),
        date(2027, 3, 1),
    ]
    money, changed = _drop(enrollment, family, at(2027, 2, 26))
    assert changed and [c.due_date for c in money.voided] == [date(2027, 3, 1)]
    assert [d for d, _ in _tuition(family)] == [date(2027, 1, 12), date(2027, 2, 1)]


@pytest.mark.parametrize(("unused_month", "credit"), [("keep", "0.00"), ("credit", "20.00")])
def test_the_current_months_unused_part_is_kept_or_credited(org, enrolled, unused_month, credit):
    family, enrollment = enrolled
    _rules(org, notice="days", notice_days=7, unused_month=unused_month)
    _run(at(2027, 2, 1, hour=0))  # February: 4 Mondays, 80.00
    before = balances.credit(family)
    # Wednesday 10 February: the 15th stays, the 22nd is the first gone: 1 of 4 unused.
    money, _ = _drop(enrollment, family, at(2027, 2, 10))
    assert money.plan.effective_on == date(2027, 2, 22)
    assert money.unused == Decimal("20.00")
    assert balances.credit(family) - before == Decimal(credit)
    _run(at(2027, 3, 1, hour=0))
    assert [d for d, _ in _tuition(family)] == [date(2027, 1, 12), date(2027, 2, 1)]


# --- the seat and the waitlist ------------------------------------------------------------
def test_the_seat_frees_on_the_effective_day_and_the_waitlist_gets_the_offer(
    org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment = enrolled
    course = enrollment.course
    course.waitlist_allowed = True
    course.save()
    waiting_family, kid = make_family(org, last_name="Waiting")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        waitlist.join(family=waiting_family, student=kid, course=course, now=timezone.now())
    _drop(enrollment, family, at(2027, 1, 20))

    assert _left(course, at(2027, 1, 31, hour=23)) == 0  # still Maya's until February
    with django_capture_on_commit_callbacks(execute=True):
        sweep_holds_and_offers(at(2027, 1, 31, hour=23))
    assert mail.outbox == []

    assert _left(course, at(2027, 2, 1, hour=0)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sweep_holds_and_offers(at(2027, 2, 1, hour=0))
    entry = WaitlistEntry.objects.get(student=kid)
    assert entry.status == WaitlistStatus.OFFERED
    assert [m.to for m in mail.outbox] == [[waiting_family.email]]
    assert "/acme/waitlist/offers/" in mail.outbox[0].body


def test_the_student_cannot_book_the_class_again_while_the_drop_is_ahead(org, enrolled):
    from springboard.booking import services
    from springboard.booking.locking import BookingError

    family, enrollment = enrolled
    _drop(enrollment, family, at(2027, 1, 20))
    with pytest.raises(BookingError, match="already enrolled"):
        services.add_course(
            family=family,
            students=[enrollment.student],
            course=enrollment.course,
            now=at(2027, 1, 21),
        )


# --- the page -------------------------------------------------------------------------------
def _login(client, family):
    """Inside the travel: a session started at the real time has expired by 2027."""
    client.force_login(family.guardians.get().user)


def test_the_drop_page_shows_the_day_and_the_money_then_two_clicks_drop_once(client, org, enrolled):
    family, enrollment = enrolled
    _rules(org, notice="days", notice_days=7, unused_month="credit")
    _run(at(2027, 2, 1, hour=0))
    url = f"/acme/account/enrollments/{enrollment.pk}/drop/"
    with time_machine.travel(at(2027, 2, 10), tick=False):
        _login(client, family)
        account = client.get("/acme/account/").content.decode()
        assert url in account
        page = client.get(url).content.decode()
        assert "February 22, 2027" in page or "Feb. 22, 2027" in page
        assert "$20.00" in page and "credited" in page
        assert 'method="post"' in page
        first = client.post(url)
        second = client.post(url)
        assert first.status_code == second.status_code == 302
        assert "no classes from" in client.get("/acme/account/").content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.DROPPED
    credits = Payment.objects.filter(family=family, idempotency_key__startswith="drop-credit")
    assert [p.amount for p in credits] == [Decimal("20.00")]


def test_past_the_cut_off_the_page_says_so(client, org, enrolled):
    family, enrollment = enrolled
    url = f"/acme/account/enrollments/{enrollment.pk}/drop/"
    with time_machine.travel(at(2027, 3, 10), tick=False):
        _login(client, family)
        assert "too late" in client.get(url).content.decode()
        response = client.post(url)
    assert response.status_code == 409
    assert "too late" in response.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


def test_another_familys_or_organizations_enrollment_is_a_404(client, org, other_org, enrolled):
    family, enrollment = enrolled
    other, _kid = make_family(org, last_name="Other")
    url = f"/acme/account/enrollments/{enrollment.pk}/drop/"
    with time_machine.travel(at(2027, 1, 20), tick=False):
        _login(client, other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        # Through another organization's address: not found either.
        assert client.get(f"/rival/account/enrollments/{enrollment.pk}/drop/").status_code == 404
        assert client.get("/acme/account/enrollments/99999999/drop/").status_code == 404
        assert client.get("/acme/account/enrollments/x/drop/").status_code == 404
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not ChargeVoid.objects.exists()


def test_coming_up_lists_the_meetings_until_the_drop_takes_effect(org, enrolled):
    from springboard.portal.coming_up import coming_up

    family, enrollment = enrolled
    _drop(enrollment, family, at(2027, 1, 20))
    days = [u.starts_at.date() for u in coming_up(family, now=at(2027, 1, 20), days=20)]
    assert days == [date(2027, 1, 25)]  # not 1 February


# --- the rules in the admin ------------------------------------------------------------------
def test_only_owners_change_the_drop_rules_and_only_their_own(client, org, other_org):
    from springboard.tenancy.models import StaffRole
    from tests import factories

    add = "/admin/booking/droprules/add/"
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(add).status_code == 403
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    fields = {
        "online": "on",
        "approval": "automatic",
        "notice": "days",
        "unused_month": "credit",
        "transfer_approval": "request",
        "transfer_notice": "next",
        "transfer_difference": "settle",
        "transfer_request_days": "3",
        "cancel_full_days": "14",
        "cancel_partial_days": "7",
        "cancel_partial_percent": "50",
        "cancel_refund_to": "credit",
    }
    refused = client.post(add, {**fields, "organization": org.pk, "notice_days": "400"})
    assert refused.status_code == 200 and not DropRules.objects.exists()  # at most 60 days
    assert (
        client.post(add, {**fields, "organization": org.pk, "notice_days": "7"}).status_code == 302
    )
    rules = DropRules.objects.get()
    assert (rules.organization, rules.notice_days, rules.unused_month) == (org, 7, "credit")
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert client.get(f"/admin/booking/droprules/{rules.pk}/change/").status_code in (302, 404)
    assert "Acme" not in client.get("/admin/booking/droprules/").content.decode()

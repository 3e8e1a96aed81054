"""Transfers (docs/booking.md, "Transfers"): the new seat held during the step, applied at
once or approved by staff, the price difference through the pricing service (charged,
credited or kept by the rules), the old seat freed and offered to the waitlist; refusals
(full, ineligible, another family's) with their reason, never a 500."""

from datetime import date, time
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Charge, ChargeKind
from springboard.booking import drops, transfers, waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.models import (
    ChangeRequest,
    DropRules,
    Enrollment,
    EnrollmentStatus,
    WaitlistEntry,
)
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from springboard.core.housekeeping import jobs
from springboard.tuition import changes
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

TERM = {"start_date": date(2027, 1, 4), "end_date": date(2027, 3, 27)}
WEDNESDAY = {"monday": False, "wednesday": True, "start_time": time(17), "end_time": time(18)}


@pytest.fixture
def setting(org):
    """Maya in the Monday class (80.00 a month; 40.00 paid for 18 and 25 January), full,
    with a family waiting; a Wednesday class at `price` with one seat."""
    term = catalog.term(org, **TERM)
    monday = catalog.course(
        org, term=term, tuition="80.00", capacity=1, waitlist_allowed=True, name="Monday"
    )
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], monday)
    waiting, kid = make_family(org, last_name="Waiting")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        waitlist.join(family=waiting, student=kid, course=monday, now=timezone.now())

    def wednesday(price, **fields):
        return catalog.course(
            org, term=term, tuition=price, capacity=1, name=f"Wed {price}", **WEDNESDAY, **fields
        )

    return family, Enrollment.objects.get(student=maya), waiting, wednesday


def _left(course, when) -> int:
    return course_openings(Course.objects.get(pk=course.pk), now=when).left


def _transfer(enrollment, course, family, when):
    with time_machine.travel(when, tick=False):
        now = timezone.now()
        change = changes.hold_transfer(enrollment, course, family=family, now=now)
        return changes.confirm_transfer(change, family=family, now=now)


@pytest.mark.parametrize("approval", ["automatic", "request"])
@pytest.mark.parametrize(
    ("price", "difference", "charged", "credit"),
    [
        ("100.00", "settle", "10.00", "0.00"),  # 2 of 4 Wednesdays: 50.00 − 40.00 unused
        ("40.00", "settle", None, "20.00"),  # 20.00 − 40.00: credited
        ("40.00", "charge", None, "0.00"),  # kept
    ],
)
def test_each_transfer_rule_moves_the_student_and_settles_the_difference(
    org, setting, approval, price, difference, charged, credit, django_capture_on_commit_callbacks
):
    family, enrollment, waiting, wednesday = setting
    new = wednesday(price)
    DropRules.objects.create(
        organization=org, transfer_approval=approval, transfer_difference=difference
    )
    with django_capture_on_commit_callbacks(execute=True):
        asked = _transfer(enrollment, new, family, at(2027, 1, 14))  # from the next meeting
        assert _left(new, at(2027, 1, 14)) == 0  # the seat is held (or kept) meanwhile
        if approval == "request":
            assert not asked.done and asked.change.status == "pending"
            assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
            assert _left(new, at(2027, 1, 15)) == 0  # still kept for the request
            with time_machine.travel(at(2027, 1, 14, hour=11), tick=False):
                changes.approve(
                    asked.change, organization=org, note="", now=timezone.now(), actor=None
                )
    old = Enrollment.objects.get(pk=enrollment.pk)
    assert old.status == EnrollmentStatus.DROPPED
    moved = Enrollment.objects.get(student=enrollment.student, course=new)
    assert moved.status == EnrollmentStatus.ACTIVE
    extra = Charge.objects.filter(family=family, idempotency_key__startswith="transfer-")
    assert [c.amount for c in extra] == ([Decimal(charged)] if charged else [])
    assert balances.credit(family) == Decimal(credit)
    # The old seat went to the family waiting, at once.
    assert WaitlistEntry.objects.get(family=waiting).status == "offered"
    assert [m for m in mail.outbox if waiting.email in m.to]


def test_a_transfer_at_the_end_of_the_month_bills_february_at_the_new_price(org, setting):
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("100.00")
    DropRules.objects.create(organization=org, transfer_notice="month_end")
    asked = _transfer(enrollment, new, family, at(2027, 1, 20))
    assert asked.change.effective_on == date(2027, 2, 1)
    assert not Charge.objects.filter(idempotency_key__startswith="transfer-").exists()
    # The Monday seat is Maya's until February; the Wednesday one is hers from now.
    assert _left(enrollment.course, at(2027, 1, 31, hour=23)) <= 0
    with time_machine.travel(at(2027, 2, 1, hour=0), tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())
    february = Charge.objects.filter(
        family=family, kind=ChargeKind.TUITION, due_date=date(2027, 2, 1), void__isnull=True
    )
    assert [c.amount for c in february] == [Decimal("100.00")]
    with time_machine.travel(at(2027, 2, 1, hour=0), tick=False):
        sweep_holds_and_offers(timezone.now())
    assert ChangeRequest.objects.get().status == "done"


def test_a_held_seat_is_let_go_when_the_step_times_out(org, setting):
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00")
    with time_machine.travel(at(2027, 1, 14), tick=False):
        change = changes.hold_transfer(enrollment, new, family=family, now=timezone.now())
    assert _left(new, at(2027, 1, 14)) == 0
    assert _left(new, change.hold_expires_at) == 1  # a hold stops counting at its time
    other, kid = make_family(org, last_name="Other")
    from springboard.booking import services

    with time_machine.travel(change.hold_expires_at, tick=False):
        services.add_course(family=other, students=[kid], course=new, now=timezone.now())
        with pytest.raises(transfers.TransferRefused, match="full"):
            changes.confirm_transfer(change, family=family, now=timezone.now())


def test_full_and_ineligible_classes_are_refused_with_the_reason(org, setting):
    family, enrollment, _waiting, wednesday = setting
    full = wednesday("80.00")
    other, kid = make_family(org, last_name="Other")
    enroll_at = at(2027, 1, 13)
    with time_machine.travel(enroll_at, tick=False):
        enroll_through_checkout(other, [kid], full)
    too_old = wednesday("80.00", min_age_years=10, max_age_years=12)
    with time_machine.travel(at(2027, 1, 14), tick=False):
        now = timezone.now()
        with pytest.raises(transfers.TransferRefused, match="is full"):
            changes.hold_transfer(enrollment, full, family=family, now=now)
        with pytest.raises(transfers.TransferRefused, match="Ages 10-12"):
            changes.hold_transfer(enrollment, too_old, family=family, now=now)
        with pytest.raises(
            transfers.TransferRefused, match="Choose another class"
        ):  # its own class
            changes.hold_transfer(Enrollment.objects.get(student=kid), full, family=other, now=now)
        options = {o.course.pk: o for o in transfers.options(enrollment, on=now.date(), now=now)}
        with pytest.raises(drops.DropTooLate, match="too late"):
            changes.hold_transfer(
                enrollment, too_old, family=family, now=at(2027, 3, 30)
            )  # the term is over
    assert not options[full.pk].open and options[full.pk].left == 0
    assert options[too_old.pk].reasons
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


# --- the pages ---------------------------------------------------------------------------
def test_the_transfer_pages_hold_confirm_and_refuse_politely(client, org, other_org, setting):
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("100.00")
    base = f"/{org.account_name}/account"
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        page = client.get(f"{base}/enrollments/{enrollment.pk}/transfer/")
        assert page.status_code == 200 and f"Transfer to {new.name}" in page.content.decode()
        for bad in ["", "x", "١", "99999999999999999999", "-1"]:
            response = client.post(f"{base}/enrollments/{enrollment.pk}/transfer/", {"course": bad})
            assert response.status_code == 404
        foreign = catalog.course(other_org)
        assert (
            client.post(
                f"{base}/enrollments/{enrollment.pk}/transfer/", {"course": foreign.pk}
            ).status_code
            == 404
        )
        held = client.post(f"{base}/enrollments/{enrollment.pk}/transfer/", {"course": new.pk})
        assert held.status_code == 302
        change = ChangeRequest.objects.get(status="held")
        confirm = client.get(held.url).content.decode()
        assert "$10.00" in confirm and "is charged" in confirm
        assert client.post(held.url).status_code == 302
        assert client.post(held.url).status_code == 409  # decided: a message, not a 500
        assert Enrollment.objects.filter(course=new, status="active").count() == 1
        account = client.get(f"{base}/").content.decode()
        assert new.name in account
    rival_family, rival_kid = make_family(other_org, last_name="Rival")
    rival = Enrollment.objects.create(
        organization=other_org,
        student=rival_kid,
        course=catalog.course(other_org),
        created_at=at(2027, 1, 12),
    )
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        assert client.get(f"{base}/enrollments/{rival.pk}/transfer/").status_code == 404
        assert client.get(f"{base}/enrollments/{rival.pk}/drop/").status_code == 404
    stranger, _kid = make_family(org, last_name="Stranger")
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(stranger.guardians.get().user)
        assert client.get(f"{base}/transfers/{change.pk}/").status_code == 404
        assert client.get(f"{base}/enrollments/{enrollment.pk}/transfer/").status_code == 404

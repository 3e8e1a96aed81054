"""Every rule combination of a family's drop and transfer — automatic or a request staff
approve × the money refunded to the original payment, credited or kept — asked on either
side of the notice period's boundary, each asserting the money (ledger rows, the refund
through the sandbox gateway with its recorded intent and outcome, the credit), the
effective day and the seat, and the waitlist's offer email when the seat frees
(docs/booking.md, "Rules for changes", "Transfers", "The refund sequence").

The class: Mondays 4 January – 22 March 2027, 80.00 a month; Maya enrolled on 12 January
and paid 40.00 by card for the 18th and the 25th; one seat, a family waiting. The notice:
7 days before a meeting. Asked on Monday the 18th at 23:00 the 25th is 7 days ahead, so it
is the first meeting gone; asked a moment later, on the 19th, the 25th is 6 days ahead and
stays: the change takes effect on 1 February and nothing of January is unused.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Charge, Payment, Refund, RefundOutcome
from springboard.booking import waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.models import DropRules, Enrollment, EnrollmentStatus, WaitlistEntry
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

# (when asked, the day it takes effect, the old class's unused part)
BEFORE = (datetime(2027, 1, 18, 23, 0, tzinfo=catalog.CHICAGO), date(2027, 1, 25), "20.00")
AFTER = (datetime(2027, 1, 19, 0, 0, tzinfo=catalog.CHICAGO), date(2027, 2, 1), "0.00")
SIDES = pytest.mark.parametrize("side", [BEFORE, AFTER], ids=["before-cut-off", "after-cut-off"])
APPROVAL = pytest.mark.parametrize("approval", ["automatic", "request"])


@pytest.fixture
def enrolled(org):
    term = catalog.term(org, **TERM)
    course = catalog.course(
        org, term=term, tuition="80.00", capacity=1, waitlist_allowed=True, name="Monday"
    )
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    waiting, kid = make_family(org, last_name="Waiting")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        waitlist.join(family=waiting, student=kid, course=course, now=timezone.now())
    return family, Enrollment.objects.get(student=maya), waiting, term


def _left(course, when) -> int:
    return course_openings(Course.objects.get(pk=course.pk), now=when).left


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=catalog.CHICAGO)


def _approve(change, when):
    with time_machine.travel(when, tick=False):
        changes.approve(
            change, organization=change.organization, note="", now=timezone.now(), actor=None
        )


def _assert_offer_when_the_seat_frees(course, effective: date, waiting, capture):
    """The Monday seat is Maya's until the effective moment; housekeeping offers it then."""
    frees = _midnight(effective)
    assert _left(course, frees - timedelta(minutes=1)) == 0
    assert _left(course, frees) >= 0  # the seat is no longer Maya's (the offer holds it)
    with capture(execute=True):
        with time_machine.travel(frees - timedelta(minutes=1), tick=False):
            sweep_holds_and_offers(timezone.now())
        assert not [m for m in mail.outbox if waiting.email in m.to]
        with time_machine.travel(frees, tick=False):
            sweep_holds_and_offers(timezone.now())
    assert WaitlistEntry.objects.get(family=waiting).status == "offered"
    assert [m for m in mail.outbox if waiting.email in m.to]


def _assert_refunded(family, amount: str):
    """One refund through the gateway: its intent (Refund), the gateway's refund and the
    recorded answer; the month's charge voided and its used part posted anew, paid."""
    refund = Refund.objects.get()
    assert refund.amount == Decimal(amount)
    assert RefundOutcome.objects.get(refund=refund).succeeded
    assert SandboxRefund.objects.count() == 1
    assert refund.payment.family_id == family.pk and refund.payment.method != "credit"
    used = Charge.objects.get(idempotency_key__startswith="drop-used-")
    assert used.amount == Decimal("40.00") - Decimal(amount)
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("0.00")


def _assert_nothing_back(family):
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()
    assert balances.credit(family) == Decimal("0.00")
    assert balances.balance(family) == Decimal("0.00")


# --- drops ---------------------------------------------------------------------------------
@SIDES
@APPROVAL
@pytest.mark.parametrize("unused", ["refund", "credit", "keep"])
def test_each_drop_rule_on_each_side_of_the_notice(
    org, enrolled, side, approval, unused, django_capture_on_commit_callbacks
):
    family, enrollment, waiting, _term = enrolled
    asked_at, effective, part = side
    DropRules.objects.create(
        organization=org, approval=approval, notice="days", notice_days=7, unused_month=unused
    )
    with time_machine.travel(asked_at, tick=False):
        asked = changes.ask_to_drop(enrollment, family=family, now=timezone.now())
    assert asked.done == (approval == "automatic")
    if approval == "request":
        assert asked.change.effective_on == effective
        assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
        _assert_nothing_back(family)  # a request changes no money until approved
        _approve(asked.change, asked_at + timedelta(minutes=30))
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DROPPED
    assert timezone.localtime(enrollment.ends_at, catalog.CHICAGO).date() == effective
    if part == "0.00" or unused == "keep":
        _assert_nothing_back(family)
    elif unused == "refund":
        _assert_refunded(family, part)
    else:
        credit = Payment.objects.get(idempotency_key=f"drop-credit-enrollment-{enrollment.pk}")
        assert credit.amount == Decimal(part) and not Refund.objects.exists()
        assert balances.credit(family) == Decimal(part)
    # February is never billed: the drop takes effect by its first moment either way.
    with time_machine.travel(_midnight(date(2027, 2, 1)), tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())
    assert not Charge.objects.filter(family=family, due_date=date(2027, 2, 1)).exists()
    _assert_offer_when_the_seat_frees(
        enrollment.course, effective, waiting, django_capture_on_commit_callbacks
    )


# --- transfers -----------------------------------------------------------------------------
@SIDES
@APPROVAL
@pytest.mark.parametrize("lower", ["refund", "settle", "charge"])  # refunded, credited, kept
def test_each_transfer_rule_on_each_side_of_the_notice(
    org, enrolled, side, approval, lower, django_capture_on_commit_callbacks
):
    """To a 40.00-a-month Wednesday class. Before the cut-off: from the 25th, the old
    class's unused 20.00 against the new one's 27 January (10.00): 10.00 lower. After it:
    from 1 February, nothing of January unused, and February is the run's at 40.00."""
    family, enrollment, waiting, term = enrolled
    asked_at, effective, _part = side
    new = catalog.course(org, term=term, tuition="40.00", capacity=1, name="Wed", **WEDNESDAY)
    DropRules.objects.create(
        organization=org,
        notice_days=7,
        transfer_notice="days",
        transfer_approval=approval,
        transfer_difference=lower,
    )
    with time_machine.travel(asked_at, tick=False):
        now = timezone.now()
        held = changes.hold_transfer(enrollment, new, family=family, now=now)
        assert held.effective_on == effective
        asked = changes.confirm_transfer(held, family=family, now=now)
    assert _left(new, asked_at) == 0  # the new seat is Maya's (held, or hers)
    if approval == "request":
        assert asked.change.status == "pending"
        assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
        _assert_nothing_back(family)
        _approve(asked.change, asked_at + timedelta(minutes=30))
    old = Enrollment.objects.get(pk=enrollment.pk)
    assert old.status == EnrollmentStatus.DROPPED
    assert timezone.localtime(old.ends_at, catalog.CHICAGO).date() == effective
    assert Enrollment.objects.get(course=new, student=enrollment.student).status == "active"
    assert not Charge.objects.filter(idempotency_key__startswith="transfer-difference").exists()
    lower_by = "10.00" if effective == date(2027, 1, 25) else "0.00"
    if lower_by == "0.00" or lower == "charge":
        _assert_nothing_back(family)
    elif lower == "refund":
        _assert_refunded(family, lower_by)
    else:
        assert balances.credit(family) == Decimal(lower_by) and not Refund.objects.exists()
    with time_machine.travel(_midnight(date(2027, 2, 1)), tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())
    february = Charge.objects.filter(family=family, due_date=date(2027, 2, 1), void__isnull=True)
    assert [c.amount for c in february] == [Decimal("40.00")]  # the new class's month only
    _assert_offer_when_the_seat_frees(
        enrollment.course, effective, waiting, django_capture_on_commit_callbacks
    )


def test_a_transfer_refund_submitted_twice_and_completed_after_a_crash_refunds_once(
    org, enrolled, monkeypatch
):
    """The transfer's refund is the drop's refund sequence: a crash after the gateway
    answered leaves the intent; housekeeping completes it once."""
    from springboard.billing.gateways.sandbox.gateway import SandboxGateway

    family, enrollment, _waiting, term = enrolled
    asked_at = BEFORE[0]
    new = catalog.course(org, term=term, tuition="40.00", capacity=1, name="Wed", **WEDNESDAY)
    DropRules.objects.create(
        organization=org, notice_days=7, transfer_notice="days", transfer_difference="refund"
    )
    answer = SandboxGateway.refund

    def answers_then_crashes(self, **kwargs):
        answer(self, **kwargs)
        raise RuntimeError("the process died before recording the answer")

    monkeypatch.setattr(SandboxGateway, "refund", answers_then_crashes)
    with time_machine.travel(asked_at, tick=False):
        now = timezone.now()
        held = changes.hold_transfer(enrollment, new, family=family, now=now)
        with pytest.raises(RuntimeError):
            changes.confirm_transfer(held, family=family, now=now)
    assert Refund.objects.count() == 1 and not RefundOutcome.objects.exists()
    monkeypatch.undo()
    with time_machine.travel(asked_at + timedelta(minutes=5), tick=False):
        jobs()["tuition.complete_drop_refunds"](timezone.now())
        jobs()["tuition.complete_drop_refunds"](timezone.now())
    _assert_refunded(family, "10.00")

"""A family's drop under "the unused part is refunded to the original payment": the refund
goes through the gateway once however often it is submitted, and a crash after the gateway
answered is completed once (by the next click or by housekeeping): one refund, one gateway
refund, one ledger row (docs/booking.md, "The refund sequence")."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Refund, RefundOutcome
from springboard.booking.models import DropRules, Enrollment
from springboard.core.housekeeping import jobs
from springboard.tuition import drops
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(org):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)  # 40.00: the 18th and the 25th
    DropRules.objects.create(organization=org, notice="days", notice_days=7, unused_month="refund")
    return family, Enrollment.objects.get(student=maya)


def _drop(enrollment, family):
    with time_machine.travel(at(2027, 1, 14), tick=False):
        return drops.drop(
            Enrollment.objects.get(pk=enrollment.pk), family=family, now=timezone.now()
        )


def _one_refund(family):
    assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]  # never more
    assert RefundOutcome.objects.filter(succeeded=True).count() == 1
    assert SandboxRefund.objects.count() == 1
    assert balances.balance(family) == Decimal("0.00")  # the 18th: 20.00, paid
    assert balances.credit(family) == Decimal("0.00")


def test_the_same_refund_submitted_twice_refunds_once(enrolled):
    family, enrollment = enrolled
    money, changed = _drop(enrollment, family)
    assert changed and money.refunded and money.unused == Decimal("20.00")
    assert _drop(enrollment, family) == (None, False)
    _one_refund(family)


@pytest.mark.parametrize("completed_by", ["the next click", "housekeeping"])
def test_a_crash_after_the_gateway_call_is_completed_once(enrolled, monkeypatch, completed_by):
    family, enrollment = enrolled
    answer = SandboxGateway.refund

    def answers_then_crashes(self, **kwargs):
        answer(self, **kwargs)
        raise RuntimeError("the process died before recording the answer")

    monkeypatch.setattr(SandboxGateway, "refund", answers_then_crashes)
    with pytest.raises(RuntimeError):
        _drop(enrollment, family)
    assert Refund.objects.count() == 1 and not RefundOutcome.objects.exists()  # the intent
    monkeypatch.undo()
    if completed_by == "the next click":
        _drop(enrollment, family)
    else:
        with time_machine.travel(at(2027, 1, 14, hour=11), tick=False):
            jobs()["tuition.complete_drop_refunds"](timezone.now())
    _one_refund(family)

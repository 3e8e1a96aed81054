"""On PostgreSQL: the same refund submitted at the same moment (two staff tabs on "drop and
refund", a family's double tap on a drop whose unused part is refunded) makes one refund,
one gateway refund and one recorded answer: the Refund row's key is unique and taken under
the family's ledger lock before the gateway is called (docs/booking.md, "The refund
sequence")."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Refund, RefundOutcome
from springboard.booking.models import DropRules, Enrollment
from springboard.tuition import drops
from tests.billing.concurrency_helpers import run_together
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enrolled(org):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)  # 40.00: the 18th and the 25th
    return family, Enrollment.objects.get(student=maya)


def _one_refund(amount: str):
    assert [r.amount for r in Refund.objects.all()] == [Decimal(amount)]
    assert RefundOutcome.objects.filter(succeeded=True).count() == 1
    assert SandboxRefund.objects.count() == 1


def test_drop_and_refund_from_two_tabs_at_once_refunds_once(org, enrolled):
    family, enrollment = enrolled
    with time_machine.travel(at(2027, 1, 14), tick=True):
        results = run_together(
            2,
            lambda: drops.staff_drop(
                organization=org,
                enrollment=Enrollment.objects.get(pk=enrollment.pk),
                refund_to_payment=True,
                now=timezone.now(),
                actor=None,
            ),
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    _one_refund("40.00")
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("0.00")


def test_a_refunded_drop_tapped_five_times_at_once_refunds_once(org, enrolled):
    family, enrollment = enrolled
    DropRules.objects.create(organization=org, notice="days", notice_days=7, unused_month="refund")
    with time_machine.travel(at(2027, 1, 14), tick=True):
        results = run_together(
            5,
            lambda: drops.drop(
                Enrollment.objects.get(pk=enrollment.pk), family=family, now=timezone.now()
            )[1],
        )
    assert sorted(results, key=str) == [False] * 4 + [True], results
    _one_refund("20.00")
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("0.00")

"""A term-priced class's drop (docs/booking.md, "Drops"): the unused part is the share of
the term's charge for the meetings from the day the drop takes effect, out of the meetings
that charge paid for (checkout prices the meetings left on the day of buying), refunded to
the original payment (never more than that payment paid for it), credited, or kept by the
rules — the same rule as a month's, shown on the Drop page before confirming.

The class: Mondays 4 January – 22 March 2027 (12 meetings), 120.00 the term. Maya buys it on
12 January: 10 meetings left, 100.00 paid by card. She drops on the 20th; at the end of the
month (the default), so from 1 February: 8 of the 10 meetings unused = 80.00.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Charge, Refund, RefundOutcome
from springboard.booking import drops as booking_drops
from springboard.booking.models import DropRules, Enrollment, EnrollmentStatus
from springboard.tuition import changes, drops
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

WEDNESDAY = {"monday": False, "wednesday": True}


@pytest.fixture
def enrolled(org):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="120.00", tuition_period="term")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    charge = Charge.objects.get(family=family, kind="tuition")
    assert charge.amount == Decimal("100.00") and balances.balance(family) == Decimal("0.00")
    return family, Enrollment.objects.get(student=maya), term


@pytest.mark.parametrize("unused", ["refund", "credit", "keep"])
def test_a_term_class_drop_settles_the_unused_meetings_share(org, enrolled, unused):
    family, enrollment, _term = enrolled
    DropRules.objects.create(organization=org, unused_month=unused)
    with time_machine.travel(at(2027, 1, 20), tick=False):
        asked = changes.ask_to_drop(enrollment, family=family, now=timezone.now())
    money = asked.money
    assert money.of_term and money.plan.effective_on == date(2027, 2, 1)
    assert money.unused == Decimal("80.00") and not money.voided
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.DROPPED
    if unused == "refund":
        refund = Refund.objects.get()
        assert refund.amount == Decimal("80.00") and RefundOutcome.objects.get().succeeded
        assert SandboxRefund.objects.count() == 1
        used = Charge.objects.get(idempotency_key__startswith="drop-used-")
        assert used.amount == Decimal("20.00")  # the 18th and the 25th, paid
        assert balances.credit(family) == Decimal("0.00")
    elif unused == "credit":
        assert not Refund.objects.exists()
        assert balances.credit(family) == Decimal("80.00")
    else:
        assert not Refund.objects.exists() and balances.credit(family) == Decimal("0.00")
    assert balances.balance(family) == Decimal("0.00")
    # A second click: nothing more.
    with time_machine.travel(at(2027, 1, 20, hour=11), tick=False):
        changes.ask_to_drop(enrollment, family=family, now=timezone.now())
    assert Refund.objects.count() == (1 if unused == "refund" else 0)
    assert balances.credit(family) == (Decimal("80.00") if unused == "credit" else Decimal(0))


def test_the_drop_page_shows_the_terms_unused_part_before_confirming(client, org, enrolled):
    family, enrollment, _term = enrolled
    DropRules.objects.create(organization=org, unused_month="refund")
    url = f"/{org.account_name}/account/enrollments/{enrollment.pk}/drop/"
    with time_machine.travel(at(2027, 1, 20), tick=False):
        client.force_login(family.guardians.get().user)
        page = client.get(url).content.decode()
        assert "The unused part of the term ($80.00" in page
        assert "refunded to the original payment" in page
        assert not Refund.objects.exists()  # shown, not done
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # a second click: one drop, one refund
    assert [r.amount for r in Refund.objects.all()] == [Decimal("80.00")]


def test_never_more_than_was_paid_for_it(org, enrolled):
    """Staff comped the term (its charge voided, the card's money credit): the drop finds
    nothing of the term paid, and refunds nothing more."""
    family, enrollment, _term = enrolled
    DropRules.objects.create(organization=org, unused_month="refund")
    charge = Charge.objects.get(family=family, kind="tuition")
    with time_machine.travel(at(2027, 1, 15), tick=False):
        services.void_charge(
            organization=org, charge=charge, reason="comped", now=timezone.now(), actor=None
        )
    with time_machine.travel(at(2027, 1, 20), tick=False):
        money, changed = drops.drop(enrollment, family=family, now=timezone.now())
    assert changed and money.unused == Decimal("0.00")
    assert not Refund.objects.exists()
    assert balances.credit(family) == Decimal("100.00")  # the comp, unchanged


def test_a_transfer_from_a_term_class_uses_the_same_unused_part(org, enrolled):
    family, enrollment, term = enrolled
    DropRules.objects.create(organization=org, transfer_notice="month_end")
    new = catalog.course(
        org, term=term, tuition=Decimal("120.00"), tuition_period="term", **WEDNESDAY
    )
    with time_machine.travel(at(2027, 1, 20), tick=False):
        now = timezone.now()
        plan = changes.transfer_plan(enrollment, family=family, now=now)
        money = changes.quote_transfer(plan, new, now=now)
        dropping = drops.quote(booking_drops.plan_drop(enrollment, family=family, now=now))
    assert money.old_value == dropping.unused == Decimal("80.00")
    assert money.new_value == Decimal("80.00")  # 8 of 12 Wednesdays from 1 February
    assert money.difference == Decimal("0.00")

"""On PostgreSQL: a family's two drop clicks at the same moment (two phones, a double tap
that got through) drop once and credit once: the drop is a conditional update under the
course lock, and the credit is keyed by the enrollment."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing.models import Payment
from springboard.booking.models import DropRules, Enrollment, EnrollmentStatus
from springboard.core.housekeeping import jobs
from springboard.tuition import drops
from tests.billing.concurrency_helpers import run_together
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_drop_clicks_at_once_drop_once_and_credit_once(org):
    DropRules.objects.create(organization=org, notice="days", notice_days=7, unused_month="credit")
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    with time_machine.travel(at(2027, 2, 1, hour=0), tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())
    enrollment = Enrollment.objects.get(student=maya)

    with time_machine.travel(at(2027, 2, 10), tick=True):
        results = run_together(
            10, lambda: drops.drop(enrollment, family=family, now=timezone.now())[1]
        )
    assert sorted(results, key=str) == [False] * 9 + [True], results
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.DROPPED
    credits = Payment.objects.filter(idempotency_key__startswith="drop-credit")
    assert [p.amount for p in credits] == [Decimal("20.00")]

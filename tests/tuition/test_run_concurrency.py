"""On PostgreSQL: two billing runs of one organization at the same moment post each charge
once. Without the run lock both read the same charges as not posted yet and both insert; the
ledger's unique key per enrollment and month then refuses the second (its transaction posts
nothing). With the lock the second waits, finds them posted and posts nothing."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from springboard.billing.models import Charge, ChargeKind
from springboard.booking.models import Enrollment
from springboard.tuition import runs
from springboard.tuition.models import BillingRun
from tests.billing.concurrency_helpers import run_together
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _term_with_students(org, count=5):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="80.00")
    for n in range(count):
        family, kid = make_family(org, last_name=f"F{n}")
        Enrollment.objects.create(
            organization=org, student=kid, course=course, created_at=at(2027, 1, 5)
        )


def _two_runs_at_once(org, after_plan=None):
    def run():
        return runs.post_run(org, now=timezone.now(), after_plan=after_plan)

    with time_machine.travel(at(2027, 2, 1), tick=True):
        return run_together(2, run)


def test_without_the_lock_both_runs_plan_the_same_charges_and_the_key_refuses_one(org, monkeypatch):
    _term_with_students(org)
    monkeypatch.setattr(runs, "lock_organization_run", lambda organization: None)
    planned = []
    barrier = __import__("threading").Barrier(2)

    def both_have_planned(plan):
        planned.append(len(plan.charges))
        barrier.wait(timeout=10)  # both read "not posted yet" before either inserts

    results = _two_runs_at_once(org, after_plan=both_have_planned)
    assert planned == [5, 5]  # the race: each run would post all five
    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results
    assert Charge.objects.filter(kind=ChargeKind.TUITION).count() == 5
    assert BillingRun.objects.count() == 1


def test_two_runs_at_once_post_each_charge_once(org):
    _term_with_students(org)
    results = _two_runs_at_once(org)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r is None for r in results) == [False, True]  # the second found nothing
    assert Charge.objects.filter(kind=ChargeKind.TUITION).count() == 5
    assert BillingRun.objects.get().tuition_charges == 5

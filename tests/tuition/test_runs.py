"""The monthly billing run: a term lived month by month with the clock, drops, closed terms,
the registration fee's anniversary, preview and records, and batched queries."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from springboard.billing.autopay_models import BillingSettings
from springboard.billing.models import Charge, ChargeKind
from springboard.booking.models import Enrollment, EnrollmentStatus
from springboard.checkout.models import FeeSchedule
from springboard.core.housekeeping import jobs
from springboard.tuition import runs
from springboard.tuition.models import BillingRun
from tests import family_factories
from tests.booking.conftest import KID_BIRTH_DATE, make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

TERM = {"start_date": date(2027, 1, 4), "end_date": date(2027, 3, 27)}  # Mondays: 4,4,4 in Jan–Mar


def _tuition(family, student=None):
    charges = Charge.objects.filter(family=family, kind=ChargeKind.TUITION)
    if student is not None:
        charges = charges.filter(student=student)
    return list(charges.order_by("due_date", "id"))


def _housekeeping(now):
    return jobs()["tuition.monthly_billing_runs"](now)


def test_the_period_a_billing_day_bills():
    assert runs.period_for(date(2027, 2, 1), 1) == date(2027, 2, 1)
    assert runs.period_for(date(2027, 2, 27), 1) == date(2027, 2, 1)
    assert runs.period_for(date(2027, 1, 24), 25) == date(2027, 1, 1)  # Dec 25's run
    assert runs.period_for(date(2027, 1, 25), 25) == date(2027, 2, 1)
    assert runs.period_for(date(2027, 12, 30), 25) == date(2028, 1, 1)


def test_a_term_month_by_month_charges_each_student_once_a_month(org):
    """Enrolled on 12 January (two of January's four Mondays left): checkout charges half of
    January; the runs on 1 February and 1 March charge each month in full, once however
    often housekeeping runs; a drop in February stops March; after the term, nothing."""
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    leo = family_factories.student(family, first_name="Leo", birth_date=KID_BIRTH_DATE)

    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya, leo], course)
        _housekeeping(timezone.now())  # January is checkout's: the run posts nothing
    assert [c.amount for c in _tuition(family, maya)] == [Decimal("40.00")]
    assert "2 of 4 meetings in January 2027" in _tuition(family, maya)[0].computation

    for day in (1, 1, 2, 15):  # every tick of February: the same one charge per student
        with time_machine.travel(at(2027, 2, day, hour=0), tick=False):
            _housekeeping(timezone.now())
    for student in (maya, leo):
        charges = _tuition(family, student)
        assert [c.amount for c in charges] == [Decimal("40.00"), Decimal("80.00")]
        assert charges[1].due_date == date(2027, 2, 1)
        assert "4 of 4 meetings in February 2027" in charges[1].computation
    assert BillingRun.objects.filter(period=date(2027, 2, 1)).count() == 1

    Enrollment.objects.filter(student=leo).update(status=EnrollmentStatus.DROPPED)
    with time_machine.travel(at(2027, 3, 1), tick=False):
        _housekeeping(timezone.now())
    assert [c.amount for c in _tuition(family, maya)][-1] == Decimal("80.00")
    assert len(_tuition(family, maya)) == 3
    assert len(_tuition(family, leo)) == 2  # dropped: no March
    run = BillingRun.objects.get(period=date(2027, 3, 1))
    assert (run.tuition_charges, run.families, run.total) == (1, 1, Decimal("80.00"))

    with time_machine.travel(at(2027, 4, 1), tick=False):  # the term is over
        assert runs.plan_run(org, now=timezone.now()).charges == []
        assert runs.post_run(org, now=timezone.now()) is None
    assert len(_tuition(family, maya)) == 3


def test_a_later_month_is_prorated_by_closures_the_same_way(org):
    """A closure is not a meeting: February with one Monday closed is 3 of 3, in full."""
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="90.00")
    catalog.closure(org, date(2027, 2, 15))
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 5), tick=False):
        enroll_through_checkout(family, [maya], course)
    with time_machine.travel(at(2027, 2, 1), tick=False):
        plan = runs.plan_run(org, now=timezone.now())
    [planned] = plan.charges
    assert planned.new.amount == Decimal("90.00")
    assert "3 of 3 meetings in February 2027" in planned.new.ledger_fields["computation"]


def test_enrolling_after_a_month_s_last_meeting_is_checkout_s_next_month(org):
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 26), tick=False):  # after Monday 25 January
        enroll_through_checkout(family, [maya], course)
    assert "February 2027" in _tuition(family)[0].computation
    with time_machine.travel(at(2027, 2, 1), tick=False):
        assert runs.plan_run(org, now=timezone.now()).charges == []
    with time_machine.travel(at(2027, 3, 1), tick=False):
        assert len(runs.plan_run(org, now=timezone.now()).charges) == 1


def test_a_later_billing_day_bills_the_next_month_due_on_its_first(org):
    BillingSettings.objects.create(organization=org, billing_day=25)
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    with time_machine.travel(at(2027, 1, 24), tick=False):
        assert runs.plan_run(org, now=timezone.now()).period == date(2027, 1, 1)
        assert runs.plan_run(org, now=timezone.now()).charges == []
    with time_machine.travel(at(2027, 1, 25), tick=False):
        run = runs.post_run(org, now=timezone.now())
    assert (run.period, run.due_date) == (date(2027, 2, 1), date(2027, 2, 1))
    assert _tuition(family)[-1].due_date == date(2027, 2, 1)


def test_term_tuition_and_other_organizations_are_not_billed(org, other_org):
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="300.00", tuition_period="term")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 5), tick=False):
        enroll_through_checkout(family, [maya], course)
    other_term = catalog.term(other_org, **TERM)
    other_course = catalog.course(other_org, term=other_term, tuition="50.00")
    other_family, kid = make_family(other_org, last_name="Other")
    with time_machine.travel(at(2027, 1, 5), tick=False):
        enroll_through_checkout(other_family, [kid], other_course)
    with time_machine.travel(at(2027, 2, 1), tick=False):
        assert runs.plan_run(org, now=timezone.now()).charges == []
        [planned] = runs.plan_run(other_org, now=timezone.now()).charges
    assert planned.new.family == other_family


def test_the_yearly_registration_fee_on_its_anniversary(org):
    """Charged at checkout in February 2027; the run of February 2028 (a new term) charges
    it again, once; the run of March 2028 does not."""
    FeeSchedule.objects.create(organization=org, amount=Decimal("35.00"))
    first = catalog.term(org, **TERM)
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 20), tick=False):
        enroll_through_checkout(family, [maya], catalog.course(org, term=first))
    fees = Charge.objects.filter(kind=ChargeKind.REGISTRATION_FEE)
    assert fees.count() == 1
    second = catalog.term(
        org,
        start_date=date(2027, 12, 27),
        end_date=date(2028, 3, 31),
        enrollment_opens_at=at(2027, 11, 1),
    )
    with time_machine.travel(at(2027, 12, 28), tick=False):
        enroll_through_checkout(family, [maya], catalog.course(org, term=second))
    assert fees.count() == 1  # within the year: not due at checkout
    with time_machine.travel(at(2028, 1, 15), tick=False):
        runs.post_run(org, now=timezone.now())  # January 2028: not a year yet
    assert fees.count() == 1
    with time_machine.travel(at(2028, 2, 1), tick=False):
        run = runs.post_run(org, now=timezone.now())
        runs.post_run(org, now=timezone.now())
    assert fees.count() == 2
    assert run.fee_charges == 1 and fees.first().due_date == date(2028, 2, 1)
    with time_machine.travel(at(2028, 3, 1), tick=False):
        runs.post_run(org, now=timezone.now())
    assert fees.count() == 2


def test_a_run_s_queries_do_not_grow_with_enrollments(org, other_org):
    """Per organization a run reads settings, closures, enrollments, fee schedules, latest
    fees and posted keys once each, and posts in one INSERT: the same count for 2 families
    with one class as for 12 families with two classes each."""

    def build(organization, families: int, classes: int):
        term = catalog.term(organization, **TERM)
        courses = [catalog.course(organization, term=term) for _ in range(classes)]
        FeeSchedule.objects.create(organization=organization, amount=Decimal("10.00"))
        for n in range(families):
            family, kid = make_family(organization, last_name=f"F{n}")
            for course in courses:
                Enrollment.objects.create(
                    organization=organization,
                    student=kid,
                    course=course,
                    created_at=at(2027, 1, 5),
                )

    build(org, 2, 1)
    build(other_org, 12, 2)

    def queries(organization):
        with (
            time_machine.travel(at(2027, 2, 1), tick=False),
            CaptureQueriesContext(connection) as captured,
        ):
            run = runs.post_run(organization, now=timezone.now())
        return len(captured), run

    small, small_run = queries(org)
    large, large_run = queries(other_org)
    assert (small_run.tuition_charges, large_run.tuition_charges) == (2, 24)
    assert small == large <= 12, (small, large)


def test_the_preview_shows_what_the_run_will_post_and_posts_nothing(org):
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00")
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 5), tick=False):
        enroll_through_checkout(family, [maya], course)
    before = Charge.objects.count()
    with time_machine.travel(at(2027, 2, 3), tick=False):
        plan = runs.plan_run(org, now=timezone.now())
    assert (plan.period, plan.total, plan.families) == (date(2027, 2, 1), Decimal("80.00"), 1)
    [(shown_family, charges, total)] = plan.by_family()
    assert shown_family == family and total == Decimal("80.00")
    assert Charge.objects.count() == before
    assert plan.due_date == date(2027, 2, 3)  # a late run is due the day it posts

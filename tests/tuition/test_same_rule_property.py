"""Property: for any class timetable, tuition, closures and day of enrolling, checkout's first
month and the run's later months follow one rule — a month's charge is tuition × meetings
counted / meetings in the month, half-up once, each month at most the full tuition, never
below zero — and the months a run bills are exactly those after checkout's, so that over a
term each month is charged once. The lines of a quote add up to its total."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from springboard.catalog import schedule
from springboard.checkout import pricing
from springboard.core.money import money
from tests import factories, family_factories
from tests.booking.conftest import NOW
from tests.catalog import factories as catalog

TERM_START, TERM_END = date(2027, 1, 4), date(2027, 4, 24)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = [date(2027, m, 1) for m in (1, 2, 3, 4)]


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    days=st.sets(st.sampled_from(WEEKDAYS), min_size=1, max_size=3),
    tuition=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
    closed=st.lists(st.integers(min_value=0, max_value=110), max_size=4),
    enrolled=st.integers(min_value=-10, max_value=105),
)
def test_checkout_and_the_run_price_months_by_one_rule(db, days, tuition, closed, enrolled):
    org = factories.organization()
    factories.location(org)
    term = catalog.term(org, start_date=TERM_START, end_date=TERM_END)
    course = catalog.course(org, term=term, tuition=tuition, **dict.fromkeys(days, True))
    for offset in set(closed):
        catalog.closure(org, TERM_START + timedelta(days=offset))
    family = family_factories.family(org)
    kid = family_factories.student(family)
    closures = schedule.closures_for(org)
    today = TERM_START + timedelta(days=enrolled)
    meetings = list(schedule.meeting_dates(course, closures))

    def quote(items, day):
        return pricing.quote(
            items, organization=org, family=family, today=day, now=NOW, closures=closures
        )

    charged = {}
    if any(m >= today for m in meetings):
        first = pricing.first_month(course, closures, today=today)
        at_checkout = quote([pricing.CourseItem(course, kid)], today)
        [line] = [x for x in at_checkout.lines if x.kind == "tuition"]
        in_month = [m for m in meetings if (m.year, m.month) == (first.year, first.month)]
        left = [m for m in in_month if m >= today]
        assert line.amount == money(tuition * len(left) / len(in_month))
        charged[first] = line.amount
        for month in MONTHS:
            if month <= first:
                continue
            run = quote([pricing.TuitionMonthItem(course, kid, month, month)], month)
            assert sum((x.amount for x in run.lines), Decimal("0")) == run.total
            month_meetings = [m for m in meetings if (m.year, m.month) == (month.year, month.month)]
            if not month_meetings:
                assert run.lines == ()
                continue
            [later] = run.lines
            assert later.amount == money(tuition)  # a whole month counts all its meetings
            charged[month] = later.amount
    assert all(Decimal("0") <= amount <= money(tuition) for amount in charged.values())
    billed_months = {(m.year, m.month) for m in meetings if m >= today}
    assert {(m.year, m.month) for m in charged} == billed_months

"""Pricing: proration by meetings left (closures skipped), term tuition, registration fees,
events, party deposits, rounding, and the pluggable registry."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from springboard.billing import services
from springboard.billing.models import ChargeKind
from springboard.catalog.models import PartyAddOn, TuitionPeriod
from springboard.checkout import pricing
from springboard.checkout.models import FeeApplies, FeeFrequency, FeeSchedule
from springboard.checkout.pricing import (
    CourseItem,
    EventItem,
    PartyItem,
    PriceLine,
    PricingError,
    quote,
)
from tests import family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime(2027, 1, 1, 12, tzinfo=catalog.CHICAGO)
# Term 4 Jan - 27 Mar 2027. Mondays in January: 4, 11, 18, 25; February: 1, 8, 15, 22;
# March: 1, 8, 15, 22 (29 is after the term).


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def maya(family):
    return family_factories.student(family, first_name="Maya")


def price(org, family, items, today, now=NOW):
    return quote(items, organization=org, family=family, today=today, now=now)


def monthly(org, tuition="100.00"):
    return catalog.course(org, name="Tumbling", tuition=D(tuition))


@pytest.mark.parametrize(
    ("today", "amount", "computation"),
    [
        (date(2026, 12, 1), "100.00", "4 of 4 meetings in January 2027 × $100.00/month"),
        (date(2027, 1, 4), "100.00", "4 of 4 meetings in January 2027 × $100.00/month"),
        (date(2027, 1, 5), "75.00", "3 of 4 meetings in January 2027 × $100.00/month"),
        (date(2027, 1, 19), "25.00", "1 of 4 meetings in January 2027 × $100.00/month"),
        (date(2027, 1, 25), "25.00", "1 of 4 meetings in January 2027 × $100.00/month"),
        (date(2027, 1, 26), "100.00", "4 of 4 meetings in February 2027 × $100.00/month"),
        (date(2027, 3, 16), "25.00", "1 of 4 meetings in March 2027 × $100.00/month"),
    ],
)
def test_monthly_tuition_prorates_the_first_month_by_meetings_left(
    org, family, maya, today, amount, computation
):
    result = price(org, family, [CourseItem(monthly(org), maya)], today)
    (line,) = result.lines
    assert line.amount == D(amount)
    assert line.computation == computation
    assert line.kind == ChargeKind.TUITION
    assert "Tumbling — Maya" in line.description
    assert result.total == result.due_now == D(amount)


def test_closures_are_not_meetings_and_cents_round_half_up(org, family, maya):
    catalog.closure(org, date(2027, 1, 18), name="MLK Day")
    course = monthly(org)
    (line,) = price(org, family, [CourseItem(course, maya)], date(2027, 1, 5)).lines
    assert line.computation == "2 of 3 meetings in January 2027 × $100.00/month"
    assert line.amount == D("66.67")  # 66.666… rounds half-up
    (line,) = price(org, family, [CourseItem(course, maya)], date(2027, 1, 12)).lines
    assert (line.computation, line.amount) == (
        "1 of 3 meetings in January 2027 × $100.00/month",
        D("33.33"),
    )


def test_half_a_cent_rounds_up(org, family, maya):
    # $0.10 × 3/4 = 0.075 → 0.08; and 0.05 × 1/2 = 0.025 → 0.03 where banker's rounding
    # would give 0.02.
    course = monthly(org, tuition="0.10")
    assert price(org, family, [CourseItem(course, maya)], date(2027, 1, 5)).total == D("0.08")
    assert pricing._prorated(D("0.05"), 1, 2) == D("0.03")


def test_a_course_closed_for_the_whole_month_starts_charging_next_month(org, family, maya):
    catalog.closure(org, date(2027, 1, 1), date(2027, 1, 31), name="Rebuild")
    (line,) = price(org, family, [CourseItem(monthly(org), maya)], date(2026, 12, 20)).lines
    assert line.computation.endswith("in February 2027 × $100.00/month")


def test_no_meetings_left_cannot_be_priced(org, family, maya):
    with pytest.raises(PricingError, match="no meetings left"):
        price(org, family, [CourseItem(monthly(org), maya)], date(2027, 3, 23))


def test_term_tuition_is_full_before_the_term_and_prorated_once_it_started(org, family, maya):
    catalog.closure(org, date(2027, 1, 18), name="MLK Day")
    course = catalog.course(
        org, name="Swim", tuition=D("220.00"), tuition_period=TuitionPeriod.TERM
    )
    (line,) = price(org, family, [CourseItem(course, maya)], date(2027, 1, 4)).lines
    assert line.amount == D("220.00")
    assert "11 meetings: $220.00/term" in line.computation
    (line,) = price(org, family, [CourseItem(course, maya)], date(2027, 2, 2)).lines
    assert line.amount == D("140.00")  # 7 of 11 × 220
    assert line.computation.startswith("7 of 11 meetings of ")


def test_lines_sum_to_the_total_for_two_children(org, family, maya):
    leo = family_factories.student(family, first_name="Leo")
    course = monthly(org, tuition="95.00")
    result = price(
        org, family, [CourseItem(course, maya), CourseItem(course, leo)], date(2027, 1, 5)
    )
    assert [line.amount for line in result.lines] == [D("71.25"), D("71.25")]
    assert result.total == D("142.50")


# --- registration fee --------------------------------------------------------------------------
def fee(org, **fields):
    fields.setdefault("amount", D("35.00"))
    return FeeSchedule.objects.create(organization=org, name="Registration fee", **fields)


def fee_lines(result):
    return [line for line in result.lines if line.kind == ChargeKind.REGISTRATION_FEE]


def post_fee(family, *, when, student=None):
    return services.post_charge(
        organization=family.organization,
        family=family,
        student=student,
        amount="35.00",
        description="Registration fee",
        kind=ChargeKind.REGISTRATION_FEE,
        due_date=when.date(),
        now=when,
    )


def test_the_yearly_family_fee_is_added_when_due(org, family, maya):
    fee(org)
    items = [CourseItem(monthly(org), maya)]
    (line,) = fee_lines(price(org, family, items, date(2027, 1, 5)))
    assert (line.amount, line.computation) == (D("35.00"), "$35.00 per family, every 12 months")
    result = price(org, family, items, date(2027, 1, 5))
    assert result.total == D("110.00")


def test_the_yearly_fee_is_not_due_within_12_months_of_the_last(org, family, maya):
    fee(org)
    items = [CourseItem(monthly(org), maya)]
    post_fee(family, when=NOW - timedelta(days=300))
    assert fee_lines(price(org, family, items, date(2027, 1, 5))) == []
    later = NOW + timedelta(days=70)  # 370 days after the last fee
    assert len(fee_lines(price(org, family, items, date(2027, 3, 8), now=later))) == 1


def test_a_voided_fee_does_not_count(org, family, maya):
    fee(org)
    charge = post_fee(family, when=NOW - timedelta(days=10))
    services.void_charge(organization=org, charge=charge, reason="x", now=NOW, actor=None)
    items = [CourseItem(monthly(org), maya)]
    assert len(fee_lines(price(org, family, items, date(2027, 1, 5)))) == 1


def test_a_once_fee_is_never_due_again(org, family, maya):
    fee(org, frequency=FeeFrequency.ONCE)
    post_fee(family, when=NOW - timedelta(days=3000))
    assert fee_lines(price(org, family, [CourseItem(monthly(org), maya)], date(2027, 1, 5))) == []


def test_a_per_student_fee_is_due_for_each_new_student(org, family, maya):
    fee(org, applies=FeeApplies.PER_STUDENT)
    leo = family_factories.student(family, first_name="Leo")
    post_fee(family, student=maya, when=NOW - timedelta(days=30))
    course = monthly(org)
    items = [CourseItem(course, maya), CourseItem(course, leo)]
    (line,) = fee_lines(price(org, family, items, date(2027, 1, 5)))
    assert line.student == leo
    assert line.description == "Registration fee — Leo"


def test_no_fee_without_a_class_and_none_of_another_organization(org, other_org, family, maya):
    fee(other_org)
    assert fee_lines(price(org, family, [CourseItem(monthly(org), maya)], date(2027, 1, 5))) == []
    fee(org)
    event = catalog.event(org, days=[date(2027, 3, 15)])
    items = [EventItem(event, maya, days=tuple(event.days.all()))]
    assert fee_lines(price(org, family, items, date(2027, 1, 5))) == []


# --- events ------------------------------------------------------------------------------------
def test_events_by_the_day_or_whole(org, family, maya):
    event = catalog.event(
        org,
        name="Holiday Camp",
        days=[date(2027, 3, 15), date(2027, 3, 16), date(2027, 3, 17)],
        price_per_day=D("45.00"),
        price_whole_event=D("120.00"),
    )
    days = list(event.days.all())
    (line,) = price(
        org, family, [EventItem(event, maya, days=tuple(days[:2]))], date(2027, 3, 1)
    ).lines
    assert (line.amount, line.computation) == (D("90.00"), "2 days × $45.00/day")
    assert "Mon 15 Mar" in line.description
    (line,) = price(org, family, [EventItem(event, maya, whole_event=True)], date(2027, 3, 1)).lines
    assert (line.amount, line.computation) == (D("120.00"), "Whole event, 3 days: $120.00")


def test_event_days_that_cannot_be_sold(org, family, maya):
    event = catalog.event(org, days=[date(2027, 3, 15)], price_whole_event=None)
    other = catalog.event(org, days=[date(2027, 3, 16)])
    today = date(2027, 3, 1)
    with pytest.raises(PricingError, match="by the day"):
        price(org, family, [EventItem(event, maya, whole_event=True)], today)
    with pytest.raises(PricingError, match="at least one day"):
        price(org, family, [EventItem(event, maya)], today)
    with pytest.raises(PricingError, match="days of this event"):
        price(org, family, [EventItem(event, maya, days=tuple(other.days.all()))], today)
    with pytest.raises(PricingError, match="passed"):
        price(
            org, family, [EventItem(event, maya, days=tuple(event.days.all()))], date(2027, 3, 16)
        )


# --- parties -----------------------------------------------------------------------------------
def party(org, name="Gym Party", **fields):
    package = catalog.party_package(
        org,
        name=name,
        price=D("250.00"),
        guests_included=10,
        max_guests=20,
        price_per_extra_guest=D("12.50"),
        deposit=D("100.00"),
        **fields,
    )
    pizza = PartyAddOn.objects.create(package=package, name="Pizza", price=D("30.00"))
    slot = catalog.party_slot(org, datetime(2027, 3, 13, 14, tzinfo=catalog.CHICAGO), [package])
    return package, pizza, slot


def test_a_party_deposit_is_due_now_and_the_rest_on_the_party_date(org, family, maya):
    package, pizza, slot = party(org)
    today = date(2027, 2, 1)
    result = price(org, family, [PartyItem(package, slot, 13, (pizza,), maya)], today)
    deposit, rest = result.lines
    assert (deposit.amount, deposit.due_date) == (D("100.00"), today)
    assert (rest.amount, rest.due_date) == (D("217.50"), date(2027, 3, 13))
    assert deposit.computation == (
        "Package $250.00 + 3 extra guests × $12.50 + Pizza $30.00 = $317.50; "
        "deposit $100.00 due now"
    )
    assert "due on Sat 13 Mar 2027" in rest.computation
    assert (result.total, result.due_now, result.due_later) == (
        D("317.50"),
        D("100.00"),
        D("217.50"),
    )


def test_a_party_without_a_deposit_is_all_due_on_the_day(org, family):
    package, _, slot = party(org)
    package.deposit = D("0")
    package.save()
    result = price(org, family, [PartyItem(package, slot, 8)], date(2027, 2, 1))
    (line,) = result.lines
    assert (line.amount, line.due_date, result.due_now) == (D("250.00"), date(2027, 3, 13), 0)


def test_party_inputs_that_cannot_be_priced(org, family):
    package, _, slot = party(org)
    _, other_pizza, _ = party(org, name="Pool Party")
    today = date(2027, 2, 1)
    with pytest.raises(PricingError, match="between 1 and 20"):
        price(org, family, [PartyItem(package, slot, 21)], today)
    with pytest.raises(PricingError, match="add-ons of this package"):
        price(org, family, [PartyItem(package, slot, 5, (other_pizza,))], today)


# --- the registry ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GiftCardItem:
    amount: Decimal


def test_line_kinds_are_pluggable(org, family, monkeypatch):
    monkeypatch.setitem(
        pricing.PRICERS,
        GiftCardItem,
        lambda item, context: [
            PriceLine("fee", "eGift card", "face value", D(1), item.amount, context.today)
        ],
    )
    result = price(org, family, [GiftCardItem(D("25.00"))], date(2027, 1, 5))
    assert result.total == D("25.00")
    with pytest.raises(PricingError):
        price(org, family, [object()], date(2027, 1, 5))


def test_another_familys_student_or_organizations_course_is_refused(org, other_org, family, maya):
    stranger = family_factories.student(family_factories.family(org, last_name="Chen"))
    with pytest.raises(PricingError, match="your own students"):
        price(org, family, [CourseItem(monthly(org), stranger)], date(2027, 1, 5))
    rival_course = catalog.course(other_org, name="Rival")
    with pytest.raises(PricingError, match="not sold here"):
        price(org, family, [CourseItem(rival_course, maya)], date(2027, 1, 5))

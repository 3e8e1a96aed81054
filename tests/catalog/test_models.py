"""What the admin refuses when staff describe the catalogue, and how ages read."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from springboard.catalog.models import Course, Event, PartyPackage, Term
from tests.catalog.test_eligibility import make_course


def test_a_course_needs_a_weekday_and_to_end_after_it_starts():
    course = make_course(monday=False)
    with pytest.raises(ValidationError, match="weekday"):
        course.clean()
    course = make_course(start_time=time(17), end_time=time(16))
    with pytest.raises(ValidationError, match="end after"):
        course.clean()


def test_the_maximum_age_cannot_be_below_the_minimum():
    with pytest.raises(ValidationError, match="below the minimum"):
        make_course(min_age_years=8, max_age_years=7).clean()


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"min_age_years": 5, "max_age_years": 7, "max_age_months": 11}, "Ages 5-7"),
        ({"min_age_years": 1, "min_age_months": 6, "max_age_years": 2}, "Ages 1y 6m-2"),
        ({"min_age_years": 0, "min_age_months": 6, "max_age_years": 2}, "Ages 6m-2"),
        ({"min_age_years": 3, "max_age_years": 4, "max_age_months": 6}, "Ages 3-4y 6m"),
        ({"min_age_years": 18, "max_age_years": 99}, "Ages 18 and up"),
    ],
)
def test_ages_read_as_families_expect(fields, label):
    assert Course(**fields).ages_label == label


def test_a_term_ends_after_it_starts_and_enrollment_closes_after_it_opens():
    term = Term(start_date=date(2027, 3, 1), end_date=date(2027, 1, 1))
    with pytest.raises(ValidationError, match="before the first day"):
        term.clean()
    opens = datetime(2026, 11, 1, 9, tzinfo=UTC)
    term = Term(
        start_date=date(2027, 1, 4),
        end_date=date(2027, 3, 27),
        enrollment_opens_at=opens,
        enrollment_closes_at=opens,
    )
    with pytest.raises(ValidationError, match="close after it opens"):
        term.clean()


def test_an_event_needs_a_price_and_single_days_need_a_day_price():
    with pytest.raises(ValidationError, match="Give a price"):
        Event(name="Camp").clean()
    with pytest.raises(ValidationError, match="price per day"):
        Event(name="Camp", price_whole_event=Decimal(100), single_days_bookable=True).clean()
    Event(name="Clinic", price_whole_event=Decimal(40), single_days_bookable=False).clean()


def test_a_party_package_deposit_and_guests_add_up():
    with pytest.raises(ValidationError, match="deposit"):
        PartyPackage(price=Decimal(100), deposit=Decimal(150)).clean()
    with pytest.raises(ValidationError, match="Fewer than"):
        PartyPackage(price=Decimal(100), guests_included=10, max_guests=5).clean()

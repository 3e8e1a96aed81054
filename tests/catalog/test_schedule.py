"""Meeting dates are computed from weekdays, term and closures, in the location's zone."""

from datetime import UTC, date, datetime, time

import pytest

from springboard.catalog.models import Closure
from springboard.catalog.schedule import closures_for, meeting_dates, meetings
from tests import factories as shared
from tests.catalog import factories
from tests.catalog.test_eligibility import make_course


def test_a_monday_and_wednesday_class_meets_on_those_days_only():
    course = make_course(wednesday=True)
    course.term.end_date = date(2027, 1, 13)
    assert list(meeting_dates(course, [])) == [
        date(2027, 1, 4),
        date(2027, 1, 6),
        date(2027, 1, 11),
        date(2027, 1, 13),
    ]


def test_closures_remove_meetings_for_every_location_or_just_theirs():
    course = make_course()
    course.term.end_date = date(2027, 1, 31)
    closures = [
        Closure(name="MLK Day", start_date=date(2027, 1, 18), end_date=date(2027, 1, 18)),
        Closure(
            name="Here", start_date=date(2027, 1, 10), end_date=date(2027, 1, 12), location_id=1
        ),
        Closure(
            name="Elsewhere",
            start_date=date(2027, 1, 25),
            end_date=date(2027, 1, 25),
            location_id=9,
        ),
    ]
    assert list(meeting_dates(course, closures)) == [date(2027, 1, 4), date(2027, 1, 25)]


def test_meetings_from_a_day_on():
    course = make_course()
    dates = list(meeting_dates(course, [], on_or_after=date(2027, 3, 16)))
    assert dates == [date(2027, 3, 22)]


def test_a_class_keeps_its_wall_clock_time_across_the_spring_daylight_saving_change():
    # America/Chicago springs forward on Sunday 14 March 2027.
    course = make_course(monday=False, sunday=True, start_time=time(9), end_time=time(10))
    course.term.start_date, course.term.end_date = date(2027, 3, 7), date(2027, 3, 21)
    starts = [start for start, _end in meetings(course, [])]
    assert [s.astimezone(UTC).time() for s in starts] == [time(15), time(14), time(14)]
    assert [s.time() for s in starts] == [time(9)] * 3
    assert starts[1].date() == date(2027, 3, 14)


def test_and_across_the_autumn_change_in_another_zone():
    # Europe/London falls back on Sunday 31 October 2027.
    course = make_course(monday=False, sunday=True, start_time=time(10), end_time=time(11))
    course.location.time_zone = "Europe/London"
    course.term.start_date, course.term.end_date = date(2027, 10, 24), date(2027, 11, 7)
    starts = [start.astimezone(UTC) for start, _end in meetings(course, [])]
    assert starts == [
        datetime(2027, 10, 24, 9, tzinfo=UTC),
        datetime(2027, 10, 31, 10, tzinfo=UTC),
        datetime(2027, 11, 7, 10, tzinfo=UTC),
    ]


@pytest.mark.django_db
def test_closures_for_reads_the_organizations_closures_for_the_locations(org, other_org):
    here = org.location_set.get()
    factories.closure(org, date(2027, 1, 18))
    factories.closure(org, date(2027, 1, 19), location=here)
    factories.closure(org, date(2027, 1, 20), location=shared.location(org))
    factories.closure(other_org, date(2027, 1, 21))
    found = closures_for(org, location_ids=[here.pk])
    assert sorted(c.start_date.day for c in found) == [18, 19]

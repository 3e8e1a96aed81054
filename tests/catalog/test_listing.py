"""The catalogue's list queries: eligible courses for a student, filter choices."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import timezone

from springboard.catalog import listing
from springboard.catalog.eligibility import check_student
from tests.catalog import factories as catalog
from tests.catalog.test_eligibility import NOW, TODAY, make_course

pytestmark = pytest.mark.django_db


def test_eligible_courses_keeps_exactly_the_ones_the_student_qualifies_for(org):
    term = catalog.term(org)
    fits = catalog.course(org, name="Fits")
    catalog.course(org, name="Boys", gender="boys")
    catalog.course(org, name="Older", min_age_years=8, max_age_years=10)
    enrolled = catalog.course(org, name="Enrolled")
    catalog.course(org, name="Also fits", saturday=True, monday=False)
    student = listing.Student(
        birth_date=date(2021, 6, 1),
        gender="female",
        first_name="Maya",
        enrolled_course_ids=frozenset({enrolled.pk}),
    )
    queryset = listing.courses_of(
        org, term=term, location=org.location_set.get(), now=timezone.now()
    )
    found = listing.eligible_courses(
        queryset, student, term=term, today=TODAY, now=NOW, closures=[]
    )
    assert [course.name for course, _verdict in found] == ["Fits", "Also fits"]
    assert found[0][0] == fits
    assert found[0][1].first_meeting == date(2027, 1, 4)

    # Turns 5 on 1 Feb: passes the database's coarse age window (5 by the term's end) but
    # not the exact rule (4y 11m at the first meeting, 4 Jan).
    late_birthday = listing.Student(birth_date=date(2022, 2, 1), gender="female")
    assert (
        listing.eligible_courses(
            queryset, late_birthday, term=term, today=TODAY, now=NOW, closures=[]
        )
        == []
    )


def test_check_student_reads_a_family_student():
    student = SimpleNamespace(first_name="Leo", birth_date=date(2022, 4, 1), gender="male")
    result = check_student(make_course(), student, today=TODAY, now=NOW)
    assert result.reasons == ["Ages 5-7; Leo will be 4y 9m on 4 Jan"]


def test_terms_that_are_over_or_hidden_are_not_listed(org):
    catalog.term(org, name="Over", end_date=date(2026, 11, 30))
    catalog.term(org, name="Hidden", shown_on_web=False)
    catalog.term(org, name="Spring", start_date=date(2027, 4, 5), end_date=date(2027, 6, 1))
    catalog.term(org, name="Winter")
    assert [t.name for t in listing.listed_terms(org, date(2026, 12, 1))] == ["Winter", "Spring"]


def test_events_at_a_location_start_with_the_soonest(org):
    catalog.event(org, name="Later", days=[date(2027, 3, 15)])
    catalog.event(org, name="Sooner", days=[date(2026, 11, 20), date(2027, 1, 2)])
    events = listing.events_at(org, location=org.location_set.get(), today=date(2026, 12, 1))
    assert [(e.name, e.first_day) for e in events] == [
        ("Sooner", date(2027, 1, 2)),
        ("Later", date(2027, 3, 15)),
    ]

"""Eligibility as a plain service: ages at the first meeting on or after today, gender,
enrollment window, already enrolled; with reasons a family can read."""

from datetime import date, datetime, time

import pytest

from springboard.catalog.eligibility import age_in_months, check_course
from springboard.catalog.models import Closure, Course, Location, Term
from tests.catalog.factories import CHICAGO

NOW = datetime(2026, 12, 1, 12, tzinfo=CHICAGO)
TODAY = date(2026, 12, 1)


def make_course(**fields) -> Course:
    """An unsaved Monday class, ages 5-7, Winter 2027 (first Monday: 4 Jan 2027)."""
    term = Term(
        pk=1,
        name="Winter 2027",
        start_date=date(2027, 1, 4),
        end_date=date(2027, 3, 27),
        enrollment_opens_at=datetime(2026, 11, 1, 9, tzinfo=CHICAGO),
        enrollment_closes_at=fields.pop("closes", None),
    )
    if "opens" in fields:
        term.enrollment_opens_at = fields.pop("opens")
    location = Location(pk=1, name="Main", time_zone="America/Chicago")
    defaults = {
        "pk": 10,
        "term": term,
        "location": location,
        "name": "Tumbling",
        "monday": True,
        "start_time": time(16),
        "end_time": time(17),
        "min_age_years": 5,
        "max_age_years": 7,
        "max_age_months": 11,
    }
    defaults.update(fields)
    return Course(**defaults)


def check(course, birth_date, gender="female", **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("now", NOW)
    return check_course(course, birth_date=birth_date, gender=gender, first_name="Maya", **kwargs)


class TestAgeAtFirstMeeting:
    # The first meeting is Monday 4 Jan 2027; ages 5-7 means 5y 0m through 7y 11m.
    def test_turning_five_the_day_after_the_first_meeting_is_too_young(self):
        result = check(make_course(), date(2022, 1, 5))
        assert not result.eligible
        assert result.reasons == ["Ages 5-7; Maya will be 4y 11m on 4 Jan"]

    def test_turning_five_on_the_day_of_the_first_meeting_qualifies(self):
        assert check(make_course(), date(2022, 1, 4)).eligible

    def test_turning_five_the_day_before_qualifies(self):
        assert check(make_course(), date(2022, 1, 3)).eligible

    def test_turning_eight_the_day_after_still_qualifies(self):
        assert check(make_course(), date(2019, 1, 5)).eligible

    def test_turning_eight_on_the_day_is_too_old(self):
        result = check(make_course(), date(2019, 1, 4))
        assert result.reasons == ["Ages 5-7; Maya will be 8y 0m on 4 Jan"]

    def test_the_reason_names_months_for_a_younger_child(self):
        result = check(make_course(), date(2022, 4, 1))
        assert result.reasons == ["Ages 5-7; Maya will be 4y 9m on 4 Jan"]

    def test_age_counts_from_the_first_meeting_on_or_after_today_not_the_term_start(self):
        # Term running since 4 Jan; today is 1 Feb 2027: the next Monday is 1 Feb.
        course = make_course()
        today = date(2027, 2, 1)
        birthday = date(2022, 2, 1)  # five on 1 Feb 2027
        assert check(course, birthday, today=today, now=NOW).eligible
        assert not check(course, birthday).eligible  # at 4 Jan she is 4y 11m

    def test_months_in_the_minimum(self):
        course = make_course(min_age_years=1, min_age_months=6, max_age_years=2)
        assert check(course, date(2025, 7, 4)).eligible  # 1y 6m on 4 Jan
        result = check(course, date(2025, 7, 5))
        assert result.reasons == ["Ages 1y 6m-2; Maya will be 1y 5m on 4 Jan"]


class TestLeapDayBirths:
    def test_a_leap_day_birthday_falls_on_28_february_in_other_years(self):
        born = date(2020, 2, 29)
        assert age_in_months(born, date(2027, 2, 27)) == 6 * 12 + 11
        assert age_in_months(born, date(2027, 2, 28)) == 7 * 12
        assert age_in_months(born, date(2027, 3, 1)) == 7 * 12
        assert age_in_months(born, date(2028, 2, 28)) == 7 * 12 + 11
        assert age_in_months(born, date(2028, 2, 29)) == 8 * 12

    def test_a_course_starting_on_28_february_takes_a_leap_day_child_turning_five(self):
        term_course = make_course(sunday=True, monday=False)
        term_course.term.start_date = date(2027, 2, 28)  # a Sunday
        assert check(term_course, date(2022, 2, 28)).eligible
        leap = make_course(sunday=True, monday=False, min_age_years=7, max_age_years=9)
        leap.term.start_date = date(2027, 2, 28)
        assert check(leap, date(2020, 2, 29)).eligible  # seven on 28 Feb 2027

    def test_month_ends(self):
        assert age_in_months(date(2026, 1, 31), date(2026, 2, 28)) == 1
        assert age_in_months(date(2026, 1, 31), date(2026, 2, 27)) == 0
        assert age_in_months(date(2026, 1, 31), date(2026, 3, 30)) == 1
        assert age_in_months(date(2026, 1, 31), date(2026, 3, 31)) == 2


class TestGender:
    @pytest.mark.parametrize(
        ("student", "course", "eligible"),
        [
            ("female", "any", True),
            ("female", "girls", True),
            ("female", "boys", False),
            ("male", "any", True),
            ("male", "boys", True),
            ("male", "girls", False),
            ("other", "any", True),
            ("other", "girls", False),
            ("other", "boys", False),
        ],
    )
    def test_gender_rules(self, student, course, eligible):
        result = check(make_course(gender=course), date(2021, 1, 1), gender=student)
        assert result.eligible is eligible
        if not eligible:
            assert result.reasons == [f"This class is for {course.capitalize()} only."]


class TestEnrollmentWindow:
    def test_before_enrollment_opens(self):
        course = make_course(opens=datetime(2026, 12, 5, 9, tzinfo=CHICAGO))
        result = check(course, date(2021, 1, 1))
        assert not result.eligible
        assert result.reasons == ["Enrollment opens Dec. 5, 2026, 9 a.m."]  # Chicago time

    def test_the_moment_enrollment_opens(self):
        course = make_course(opens=NOW)
        assert check(course, date(2021, 1, 1)).eligible

    def test_after_enrollment_closes(self):
        course = make_course(closes=NOW)
        result = check(course, date(2021, 1, 1))
        assert result.reasons == ["Enrollment for Winter 2027 has closed."]

    def test_already_enrolled(self):
        result = check(make_course(), date(2021, 1, 1), enrolled_course_ids={10})
        assert result.reasons == ["Maya is already enrolled."]


class TestClosures:
    def test_a_closure_on_the_first_monday_moves_the_first_meeting_and_the_age(self):
        course = make_course()
        closed = [Closure(name="New Year", start_date=date(2027, 1, 4), end_date=date(2027, 1, 4))]
        birthday = date(2022, 1, 10)  # five on Monday 11 Jan
        assert not check(course, birthday).eligible
        result = check(course, birthday, closures=closed)
        assert result.eligible
        assert result.first_meeting == date(2027, 1, 11)

    def test_another_locations_closure_does_not_move_it(self):
        course = make_course()
        closed = [
            Closure(
                name="Pool repairs",
                start_date=date(2027, 1, 4),
                end_date=date(2027, 1, 4),
                location_id=2,
            )
        ]
        result = check(course, date(2022, 1, 10), closures=closed)
        assert result.first_meeting == date(2027, 1, 4)

    def test_no_meetings_left(self):
        result = check(make_course(), date(2021, 1, 1), today=date(2027, 3, 28))
        assert result.reasons == ["This class has no more meetings this term."]

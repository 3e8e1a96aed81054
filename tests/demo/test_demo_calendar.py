"""The demo's calendar (no database): for every day of three years, in both demo time zones,
the dates the demo is built from keep their promises."""

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from springboard.demo.dates import born, day_range, demo_calendar, season_name

START = datetime(2026, 1, 1, 12, tzinfo=UTC)
EVERY_DAY = [START + timedelta(days=n, hours=n % 24) for n in range(3 * 365)]


@pytest.mark.parametrize("zone", ["America/Chicago", "America/New_York"])
def test_every_day_of_three_years_gives_a_live_term_open_registration_camps_and_parties(zone):
    for now in EVERY_DAY:
        c = demo_calendar(now, zone)
        today, current, following = c.today, c.current_term, c.next_term
        assert current.start.weekday() == following.start.weekday() == 0, now
        assert 21 <= (today - current.start).days <= 27, now
        assert current.end < following.start, "terms do not overlap"
        assert 28 <= (following.start - today).days <= 42, now
        assert current.opens_at < now < current.closes_at, now
        assert following.opens_at.date() == today - timedelta(days=1)
        assert following.opens_at < now < following.closes_at, now
        assert current.name != following.name
        # Coming Up! (14 days) is never emptied by the break week, which lies in the term.
        first, last = c.break_week
        assert today + timedelta(days=14) < first and last <= current.end, now
        assert c.break_camp_days[0] == first and len(c.break_camp_days) == 5
        assert today < c.camp_days[0] <= today + timedelta(weeks=3)
        assert today < c.clinic_day <= today + timedelta(weeks=3)
        assert following.start <= c.training_day <= following.end
        assert all(day > today and day.weekday() in (4, 5, 6) for day in c.party_days)
        for weekday in (4, 5, 6):  # six of each, whatever the day: as many slots every day
            assert len([day for day in c.party_days if day.weekday() == weekday]) == 6, now


def test_term_names_are_a_season_and_the_year_it_belongs_to():
    assert season_name(date(2026, 12, 7)) == "Winter 2027"
    assert season_name(date(2027, 1, 4)) == "Winter 2027"
    assert season_name(date(2027, 3, 1)) == "Spring 2027"
    assert season_name(date(2027, 7, 5)) == "Summer 2027"
    assert season_name(date(2027, 10, 4)) == "Fall 2027"


def test_two_terms_starting_in_one_season_get_different_names():
    # The current term starts in early March, the next in early May: both spring.
    c = demo_calendar(datetime.combine(date(2027, 3, 29), time(12), tzinfo=UTC), "UTC")
    assert c.current_term.name == "Spring 2027"
    assert c.next_term.name == "Late Spring 2027"


def test_ages_stay_the_same_whatever_the_day():
    assert born(date(2026, 12, 1), 9, 262) == date(2017, 3, 14)
    assert born(date(2028, 2, 29), 6, 0) == date(2022, 2, 28)
    assert day_range(date(2026, 12, 21), date(2026, 12, 23)) == "December 21–23"
    assert day_range(date(2026, 12, 30), date(2027, 1, 1)) == "December 30 – January 1"


def test_the_readme_describes_the_demo_without_a_month_or_a_year():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    start = readme.index("**What the demo contains**")
    description = readme[start : readme.index("| login |", start)]
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    seasons = "Winter|Spring|Summer|Fall|Autumn"
    assert not re.search(rf"\b({months}|{seasons})\b", description), description
    assert not re.search(r"\b20\d\d\b", description), description

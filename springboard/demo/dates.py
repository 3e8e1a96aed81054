"""The demo's calendar: every date in the demo comes from the day it is loaded.

`load_demo` reads the clock once; `demo_calendar(now, zone)` turns that moment into the
organization's local `today` and derives everything from it (docs/demo.md):

- the current term started on the Monday three to four weeks ago and ends the Saturday
  before the next term starts; its enrollment is still open (mid-term enrollment is prorated);
- the next term starts on the Monday five to six weeks ahead and runs ten weeks; its
  registration opened yesterday at 9:00 — which is also how a later run knows the demo in
  the database was loaded on another day (`loaded_on`);
- a break week (a closure) about three weeks ahead with a camp in it, a three-day camp
  about two weeks ahead, a clinic on a Saturday, party slots on the next six weekends.

Term names are a season and a year computed from the term's first day, so they are true on
any date.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6
SEASONS = {
    12: "Winter",
    1: "Winter",
    2: "Winter",
    3: "Spring",
    4: "Spring",
    5: "Spring",
    6: "Summer",
    7: "Summer",
    8: "Summer",
    9: "Fall",
    10: "Fall",
    11: "Fall",
}
REGISTRATION_OPENS_AT = time(9)
PARTY_WEEKENDS = 6


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def aware(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone))


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born(today: date, years: int, days: int) -> date:
    """A birth date making a student `years` old and `days` more today."""
    return years_before(today, years) - timedelta(days=days)


def season_name(start: date) -> str:
    """ "Winter 2027" for a term starting in December 2026, January or February 2027."""
    year = start.year + 1 if start.month == 12 else start.year
    return f"{SEASONS[start.month]} {year}"


def day_range(first: date, last: date) -> str:
    """ "December 21–23", or "December 30 – January 1" across a month end."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}"
    return f"{first:%B} {first.day} – {last:%B} {last.day}"


def month_day(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


@dataclass(frozen=True)
class TermDates:
    name: str
    start: date
    end: date
    opens_at: datetime
    closes_at: datetime | None


@dataclass(frozen=True)
class DemoCalendar:
    now: datetime
    today: date  # in the organization's time zone
    zone: str
    current_term: TermDates
    next_term: TermDates
    break_week: tuple[date, date]  # Monday–Saturday, a closure in the current term
    training_day: date  # a closure in the next term
    camp_days: list[date]  # three days, bookable one by one
    clinic_day: date
    break_camp_days: list[date]  # Monday–Friday of the break week
    party_days: list[date]  # the next 18 Fridays, Saturdays and Sundays (six of each)


def demo_calendar(now: datetime, zone: str) -> DemoCalendar:
    today = local_today(now, zone)
    next_start = weekday_on_or_after(today + timedelta(days=35), MONDAY)
    current_start = weekday_on_or_before(today - timedelta(days=21), MONDAY)
    current_end = next_start - timedelta(days=2)  # the Saturday before
    next_end = next_start + timedelta(weeks=10, days=-2)
    current_name = season_name(current_start)
    next_name = season_name(next_start)
    if next_name == current_name:
        next_name = f"Late {next_name}"
    current = TermDates(
        name=current_name,
        start=current_start,
        end=current_end,
        opens_at=aware(current_start - timedelta(days=28), REGISTRATION_OPENS_AT, zone),
        closes_at=aware(current_end - timedelta(days=13), time(0), zone),
    )
    following = TermDates(
        name=next_name,
        start=next_start,
        end=next_end,
        opens_at=aware(today - timedelta(days=1), REGISTRATION_OPENS_AT, zone),
        closes_at=aware(next_start + timedelta(days=28), time(0), zone),
    )
    break_monday = weekday_on_or_after(today + timedelta(days=21), MONDAY)
    camp_monday = weekday_on_or_after(today + timedelta(days=14), MONDAY)
    # The next PARTY_WEEKENDS × 3 Fridays, Saturdays and Sundays after today: six of each
    # whatever today is, so the demo has as many party slots on any day it is loaded.
    party_days = []
    day = today
    while len(party_days) < PARTY_WEEKENDS * 3:
        day += timedelta(days=1)
        if day.weekday() in (FRIDAY, SATURDAY, SUNDAY):
            party_days.append(day)
    return DemoCalendar(
        now=now,
        today=today,
        zone=zone,
        current_term=current,
        next_term=following,
        break_week=(break_monday, break_monday + timedelta(days=5)),
        training_day=next_start + timedelta(weeks=3, days=FRIDAY),
        camp_days=[camp_monday + timedelta(days=n) for n in range(3)],
        clinic_day=weekday_on_or_after(today + timedelta(days=10), SATURDAY),
        break_camp_days=[break_monday + timedelta(days=n) for n in range(5)],
        party_days=party_days,
    )


def loaded_on(organization) -> date | None:
    """The day the demo in the database was loaded: its newest term's registration opened
    the day before (None when the organization has no terms yet)."""
    from springboard.catalog.models import Term
    from springboard.demo.waitingroom import TERM_PREFIX  # its term opens after the load

    term = (
        Term.objects.for_organization(organization)
        .exclude(name__startswith=TERM_PREFIX)
        .order_by("-enrollment_opens_at")
        .first()
    )
    if term is None:
        return None
    return local_today(term.enrollment_opens_at, organization.time_zone) + timedelta(days=1)

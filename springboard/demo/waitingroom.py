"""The demo's registration night (docs/demo.md): a Swim Team term whose registration opens
ten minutes after the demo is loaded, behind the waiting room, so a newcomer can watch the room
fill and admit. Idempotent like the rest of the demo: created on the day's first load only."""

import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from springboard.catalog.models import Course, Program, Term
from springboard.demo.dates import demo_calendar, season_name
from springboard.tenancy.models import Location, Organization
from springboard.waitingroom.models import WaitingRoom

PROGRAM = "Swim Team"
TERM_PREFIX = "Swim Team "  # dates.loaded_on and the demo's date tests leave this term out
OPENS_AFTER = timedelta(minutes=10)
# Slow on purpose: one family every 10 seconds, so a handful of demo families visibly queue.
DEMO_ADMISSIONS_PER_MINUTE = 6
PLAN = [  # (weekday field, start)
    ("monday", time(17, 30)),
    ("wednesday", time(17, 30)),
    ("friday", time(17, 30)),
    ("saturday", time(8, 0)),
]


def is_waiting_room_term(term: Term) -> bool:
    return term.name.startswith(TERM_PREFIX)


def load_demo_waiting_room(organization: Organization, *, now: datetime) -> Term:
    following = demo_calendar(now, organization.time_zone).next_term
    start = following.start + timedelta(weeks=1)
    program, _created = Program.objects.get_or_create(
        organization=organization, name=PROGRAM, defaults={"position": 3}
    )
    term, _created = Term.objects.get_or_create(
        organization=organization,
        name=f"{TERM_PREFIX}{season_name(start)}",
        defaults={
            "start_date": start,
            "end_date": following.end,
            "enrollment_opens_at": (now + OPENS_AFTER).replace(second=0, microsecond=0),
        },
    )
    location = Location.objects.get(organization=organization, name="Main Street")
    for day, start_time in PLAN:
        Course.objects.get_or_create(
            organization=organization,
            term=term,
            name=f"Swim Team ({day[:3].capitalize()})",
            defaults={
                "program": program,
                "location": location,
                "room": "Pool",
                "start_time": start_time,
                "end_time": (datetime.combine(start, start_time) + timedelta(hours=1)).time(),
                "min_age_years": 8,
                "max_age_years": 14,
                "capacity": 4,
                "tuition": Decimal("110.00"),
                day: True,
            },
        )
    WaitingRoom.objects.get_or_create(
        organization=organization,
        defaults={"admissions_per_minute": DEMO_ADMISSIONS_PER_MINUTE, "pass_minutes": 20},
    )
    return term


def opening_line(organization: Organization) -> str:
    """For load_demo's output: when the demo's registration night opens, and where to watch."""
    term = (
        Term.objects.for_organization(organization)
        .filter(name__startswith=TERM_PREFIX)
        .order_by("-enrollment_opens_at")
        .first()
    )
    if term is None:
        return ""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    opens = term.enrollment_opens_at.astimezone(zone)
    return (
        f"registration night: {term.name} opens at {opens:%H:%M} ({zone.key}) behind the "
        f"waiting room — open a Swim Team class at /{organization.account_name}/booking/classes/"
    )

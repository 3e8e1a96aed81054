"""Builders for catalogue rows (kept beside the catalogue tests, out of the shared
tests/factories.py, so the family-accounts branch merges without conflicts)."""

import itertools
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from springboard.catalog.models import (
    Closure,
    Course,
    Event,
    EventDay,
    PartyPackage,
    PartySlot,
    Program,
    Term,
)

_numbers = itertools.count(1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def program(org, **fields) -> Program:
    fields.setdefault("name", f"Program {next(_numbers)}")
    return Program.objects.create(organization=org, **fields)


def term(org, **fields) -> Term:
    fields.setdefault("name", f"Term {next(_numbers)}")
    fields.setdefault("start_date", date(2027, 1, 4))
    fields.setdefault("end_date", date(2027, 3, 27))
    fields.setdefault("enrollment_opens_at", datetime(2026, 11, 1, 9, tzinfo=CHICAGO))
    return Term.objects.create(organization=org, **fields)


def closure(org, start: date, end: date | None = None, **fields) -> Closure:
    fields.setdefault("name", f"Closed {next(_numbers)}")
    return Closure.objects.create(
        organization=org, start_date=start, end_date=end or start, **fields
    )


def course(org, *, save=True, **fields) -> Course:
    """A Monday 4-5pm class for ages 5-7 at the organization's first location."""
    if "term" not in fields:
        fields["term"] = Term.objects.filter(organization=org).first() or term(org)
    if "program" not in fields:
        fields["program"] = Program.objects.filter(organization=org).first() or program(org)
    fields.setdefault("location", org.location_set.first())
    fields.setdefault("name", f"Class {next(_numbers)}")
    if not any(
        fields.get(day)
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ):
        fields["monday"] = True
    fields.setdefault("start_time", time(16))
    fields.setdefault("end_time", time(17))
    fields.setdefault("min_age_years", 5)
    fields.setdefault("max_age_years", 7)
    fields.setdefault("tuition", Decimal("80.00"))
    row = Course(organization=org, **fields)
    if save:
        row.save()
    return row


def event(org, days=(date(2027, 3, 15),), **fields) -> Event:
    fields.setdefault("name", f"Camp {next(_numbers)}")
    fields.setdefault("location", org.location_set.first())
    fields.setdefault("price_per_day", Decimal("50.00"))
    row = Event.objects.create(organization=org, **fields)
    EventDay.objects.bulk_create(
        [EventDay(event=row, date=day, start_time=time(9), end_time=time(15)) for day in days]
    )
    return row


def party_package(org, **fields) -> PartyPackage:
    fields.setdefault("name", f"Party {next(_numbers)}")
    fields.setdefault("price", Decimal("250.00"))
    return PartyPackage.objects.create(organization=org, **fields)


def party_slot(org, starts_at: datetime, packages=(), **fields) -> PartySlot:
    fields.setdefault("location", org.location_set.first())
    fields.setdefault("ends_at", starts_at + timedelta(hours=2))
    slot = PartySlot.objects.create(organization=org, starts_at=starts_at, **fields)
    slot.packages.set(packages)
    return slot

"""Rows → the API's schemas (plain dicts; ninja validates them against schemas.py)."""

from springboard.catalog.availability import course_openings
from springboard.catalog.models import WEEKDAY_FIELDS


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def clock_time(value) -> str:
    return value.strftime("%H:%M")


def openings(course, *, now, display: str) -> dict:
    found = course_openings(course, now=now)
    return {
        "capacity": found.capacity,
        "left": found.left,
        "full": found.full,
        "waitlist_allowed": found.waitlist_allowed,
        "label": str(found.label(display)),
    }


def course(row, *, now, display: str) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "description": row.description,
        "program": row.program.name,
        "level": row.level.name if row.level_id else None,
        "term_id": row.term_id,
        "location_id": row.location_id,
        "room": row.room,
        "weekdays": [WEEKDAY_FIELDS[day] for day in row.weekdays],
        "start_time": clock_time(row.start_time),
        "end_time": clock_time(row.end_time),
        "tuition": money(row.tuition),
        "tuition_period": row.tuition_period,
        "openings": openings(row, now=now, display=display),
    }


def camp(event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "name": event.name,
        "description": event.description,
        "location_id": event.location_id,
        "price_per_day": money(event.price_per_day),
        "price_whole_event": money(event.price_whole_event),
        "single_days_bookable": event.single_days_bookable,
        "days": [
            {
                "id": day.pk,
                "date": day.date,
                "start_time": clock_time(day.start_time),
                "end_time": clock_time(day.end_time),
                "places_left": max(day.places_left, 0),
            }
            for day in event.upcoming_days
        ],
    }


def package(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "description": row.description,
        "price": money(row.price),
        "guests_included": row.guests_included,
        "max_guests": row.max_guests,
        "price_per_extra_guest": money(row.price_per_extra_guest),
        "duration_minutes": row.duration_minutes,
    }


def history_entry(entry) -> dict:
    return {
        "at": entry.at,
        "kind": entry.kind,
        "id": entry.id,
        "label": entry.label,
        "amount": money(entry.amount),
        "delta": money(entry.delta),
        "running_balance": money(entry.running),
        "status": entry.status or "",
        "method": entry.method or "",
        "discounts": list(entry.discounts),
    }

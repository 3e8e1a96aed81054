"""The waiting room's settings as kept in the shared cache, so the gate on every class page
and add, and the cache-only refresh, read no database row. Written by every save and delete
of a WaitingRoom (models.py) and on a miss (services.room_settings); `{"exists": False}` for
an organization without a room."""

from django.core.cache import cache

from springboard.waitingroom.rules import PREFIX

KEEP_SECONDS = 24 * 3600


def settings_key(organization_id: int) -> str:
    return f"{PREFIX}:settings:{organization_id}"


def settings_of(room=None) -> dict:
    """A WaitingRoom row (or None: no room) as published."""
    if room is None:
        return {"exists": False, "on": False}
    return {
        "exists": True,
        "on": room.is_on,
        "rate": room.admissions_per_minute,
        "pass": room.pass_minutes,
        "before": room.opens_window_minutes,
        "after": room.rush_minutes,
    }


def publish(organization_id: int, room=None) -> dict:
    value = settings_of(room)
    cache.set(settings_key(organization_id), value, KEEP_SECONDS)
    return value


def published(organization_id: int) -> dict | None:
    return cache.get(settings_key(organization_id))

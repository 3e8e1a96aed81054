"""Cheap per-address limits on the waiting page and its refresh (django-ratelimit's counter in
the cache, as springboard/families/ratelimits.py; no database). A page refreshes every few
seconds, so the limits leave room for a whole family's devices behind one address."""

from springboard.core import ratelimits

LIMITS = {"page": "60/m", "status": "120/m"}


def wait_seconds(request, action: str) -> int | None:
    return ratelimits.wait_seconds(request, [(f"waitingroom:{action}", "ip", LIMITS[action])])

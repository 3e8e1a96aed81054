"""The one clock.

Views, management commands and tasks read the time here, once per request or run, and pass
`now` (or `today`) down; no rule below them (availability, eligibility, holds, offers, order
windows, Coming Up!, statements, housekeeping) reads the clock itself, so every rule can be
tested at any moment and a request sees one instant from start to finish.
`tests/core/test_one_clock.py` fails when code outside the entry points reads the clock.

`ClockMiddleware` sets `request.now` for every request; views use it instead of calling
`now()` again.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    """The current moment (aware, UTC). Only entry points call this."""
    return timezone.now()


def today_in(zone: str | ZoneInfo, at: datetime) -> date:
    """The date at the moment `at` in a time zone (a location's), not the server's."""
    if isinstance(zone, str):
        zone = ZoneInfo(zone)
    return timezone.localtime(at, zone).date()


def local_today(at: datetime) -> date:
    """The date at `at` in the installation's time zone (settings.TIME_ZONE)."""
    return timezone.localtime(at).date()


class ClockMiddleware:
    """Reads the clock once per request: `request.now`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.now = now()
        return self.get_response(request)


def request_now(request) -> datetime:
    """`request.now`, or the clock for a request that did not pass the middleware (a
    RequestFactory request in a test, Django's auth calling a backend without a request)."""
    at = getattr(request, "now", None) if request is not None else None
    return at if at is not None else now()

"""The waiting page's refresh: cache only, no database (docs/booking.md, "Waiting room").

Mounted outside /<account>/ (config/urls.py) so no middleware looks up the organization,
session or family: the signed ticket in the URL says which opening and arrival it is, the
cache says where it stands. Rate-limited per address (a cache counter counted in one round
trip: waitingroom/ratelimit.py).
Answered by `StatusMiddleware` at the top of the stack (waitingroom/middleware.py) with the
same `answer`; this view answers what the fast path passes on (a ticket that does not verify,
another method) and any stack without that middleware.
"""

import dataclasses

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from springboard.core.clock import request_now
from springboard.waitingroom import passes, published, rules
from springboard.waitingroom.messages import status_text
from springboard.waitingroom.ratelimit import wait_seconds


@require_GET
def status(request, ticket: str):
    return answer(request, passes.read_ticket(ticket))


def answer(request, found: passes.Ticket | None) -> JsonResponse:
    """The refresh's answer for a ticket read from its URL (None: it did not verify, a 404):
    the rate limit, then one cache round trip for the room's settings and the arrival's
    draw, slot and pass (rules.standing_keys), never cached by the browser."""
    now = request_now(request)
    retry = wait_seconds(request, "status", now=now)
    if retry is not None:
        response = _json({"state": "limited", "retry": retry}, status=429)
        response["Retry-After"] = str(retry)
        return response
    if found is None:
        raise Http404("No such ticket")
    rush, number = found.rush, found.number
    keys = rules.standing_keys(rush, number)
    settings_key = published.settings_key(rush.organization_id)
    values = cache.get_many([settings_key, *keys.values()])
    settings = values.get(settings_key)
    if settings is not None:
        if not settings["on"]:  # switched off or deleted
            return _json({"state": "off"})
        rush = dataclasses.replace(
            rush, admissions_per_minute=settings["rate"], pass_minutes=settings["pass"]
        )
    if rules.spent_from(values.get(keys["issued"]), now=now):
        return _json({"state": "spent"})
    drawn = slot = None
    if now >= rush.opens_at:
        drawn = values.get(keys["drawn"])
        if drawn is None:  # the first ask after the opening draws the lottery
            drawn = rules.draw(rush, now=now)
        if number > drawn["early"]:
            slot = values.get(keys["slot"])
    standing = rules.standing_from(rush, number, now=now, drawn=drawn, slot=slot)
    if not standing.drawn:
        state = "before"
    elif standing.admitted:
        state = "admitted"
    else:
        state = "waiting"
    return _json(
        {
            "state": state,
            "message": status_text(standing),
            "opens_in": standing.opens_in,
            "place": standing.place,
            "ahead": standing.ahead,
            "wait": standing.wait_seconds,
        }
    )


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    return response

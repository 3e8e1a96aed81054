"""The waiting page's refresh: cache only, no database (docs/booking.md, "Waiting room").

Mounted outside /<account>/ (config/urls.py) so no middleware looks up the organization,
session or family: the signed ticket in the URL says which opening and arrival it is, the
cache says where it stands. Rate-limited per address (django-ratelimit's cache counter).
"""

from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from springboard.core.clock import request_now
from springboard.waitingroom import passes, published, rules
from springboard.waitingroom.messages import status_text
from springboard.waitingroom.ratelimit import wait_seconds


@never_cache
@require_GET
def status(request, ticket: str):
    now = request_now(request)
    retry = wait_seconds(request, "status")
    if retry is not None:
        response = JsonResponse({"state": "limited", "retry": retry}, status=429)
        response["Retry-After"] = str(retry)
        return response
    found = passes.read_ticket(ticket)
    if found is None:
        raise Http404("No such ticket")
    rush, number = found.rush, found.number
    settings = published.published(rush.organization_id)
    if settings is not None:
        if not settings["on"]:  # switched off or deleted
            return JsonResponse({"state": "off"})
        rush = rules.Rush(
            organization_id=rush.organization_id,
            opens_at=rush.opens_at,
            admissions_per_minute=settings["rate"],
            pass_minutes=settings["pass"],
            rush_minutes=rush.rush_minutes,
        )
    if rules.is_spent(rush, number, now=now):
        return JsonResponse({"state": "spent"})
    standing = rules.standing(rush, number, now=now)
    if not standing.drawn:
        state = "before"
    elif standing.admitted:
        state = "admitted"
    else:
        state = "waiting"
    return JsonResponse(
        {
            "state": state,
            "message": status_text(standing),
            "opens_in": standing.opens_in,
            "place": standing.place,
            "ahead": standing.ahead,
            "wait": standing.wait_seconds,
        }
    )

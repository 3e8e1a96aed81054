"""The waiting page (docs/booking.md, "Waiting room"): the opening time in the location's
zone, a countdown, a reminder to get ready; once open the family's place and expected wait;
admitted, a pass and the way back to the class. Its refresh is cache-only
(springboard.waitingroom.views.status)."""

import zoneinfo

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from springboard.catalog.models import Course
from springboard.core.parsing import parse_id
from springboard.portal.views.family_access import portal_url, safe_next
from springboard.portal.waiting import waiter_of
from springboard.waitingroom import passes, rules, services
from springboard.waitingroom.messages import status_text, wait_text
from springboard.waitingroom.ratelimit import wait_seconds


def _optional_id(request, name: str) -> int | None:
    raw = request.GET.get(name)
    return parse_id(raw) if raw else None


def _clock_label(seconds: int) -> str:
    """m:ss (h:mm:ss past an hour), as countdown.js writes it."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@never_cache
@require_GET
def waiting_room(request):
    now = request.now
    retry = wait_seconds(request, "page", now=now)
    if retry is not None:
        response = render(request, "portal/waitingroom/limited.html", {"retry": retry}, status=429)
        response["Retry-After"] = str(retry)
        return response
    organization = request.organization
    term_id = _optional_id(request, "term")
    course_id = _optional_id(request, "course")
    zone_name = organization.time_zone
    if course_id is not None:
        # The class only for its location's zone (the opening shown in it): one column, not
        # the class and its location (another organization's class: no row, a 404).
        zone_name = (
            Course.objects.for_organization(organization)
            .filter(pk=course_id)
            .order_by()
            .values_list("location__time_zone", flat=True)
            .first()
        )
        if zone_name is None:
            raise Http404("No such class")
    back = safe_next(request, fallback=portal_url(request, "booking"))
    rush, terms = services.current_rush(organization, now=now, term_id=term_id)
    zone = zoneinfo.ZoneInfo(zone_name)
    context = {"back": back, "terms": terms, "now": now, "rush": rush}
    if rush is None:
        return render(request, "portal/waitingroom/waiting_room.html", context)
    waiter = waiter_of(request)
    new_waiter = waiter is None
    if new_waiter:
        waiter = passes.new_waiter()
    family = getattr(request, "family", None)
    number = rules.join(rush, waiter=waiter, now=now, family=str(family) if family else "")
    standing = rules.standing(rush, number, now=now)
    context.update(
        {
            "opens_local": timezone.localtime(rush.opens_at, zone),
            "zone_name": zone.key,
            "opens_in_label": _clock_label(standing.opens_in),
            "standing": standing,
            "message": status_text(standing),
            "wait": wait_text(standing.wait_seconds or 0) if standing.drawn else "",
            "status_url": reverse(
                "waitingroom:status", args=[passes.make_ticket(rush, number=number)]
            ),
        }
    )
    pass_value = None
    if standing.admitted:
        expires = rules.pass_expiry(rush, number, now=now, known=standing)
        context["pass_expires_local"] = timezone.localtime(expires, zone)
        pass_value = passes.make_pass(rush, waiter=waiter, number=number, expires_at=expires)
    response = render(request, "portal/waitingroom/waiting_room.html", context)
    secure = request.is_secure()
    keep = rush.keep_seconds(now)
    if new_waiter:
        response.set_cookie(
            passes.WAITER_COOKIE,
            passes.sign_waiter(waiter),
            max_age=keep,
            secure=secure,
            httponly=True,
            samesite="Lax",
        )
    if pass_value is not None:
        response.set_cookie(
            passes.PASS_COOKIE,
            pass_value,
            max_age=rush.pass_minutes * 60,
            secure=secure,
            httponly=True,
            samesite="Lax",
        )
    return response

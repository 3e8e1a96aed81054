"""Parties: the packages, then the open time slots of a chosen date at the current location."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from springboard.catalog import listing
from springboard.catalog.availability import with_party_slot_bookings
from springboard.catalog.models import PartyPackage, PartySlot
from springboard.portal.views.booking import local_today, render_page
from springboard.tenancy.middleware import current_location

DATES_SHOWN = 14
FURTHEST_AHEAD = timedelta(days=2 * 366)


def _chosen_date(request, today: date) -> tuple[date, str]:
    """?date=YYYY-MM-DD; anything else is explained and today is shown instead."""
    raw = request.GET.get("date", "")
    if not raw:
        return today, ""
    try:
        chosen = date.fromisoformat(raw[:10]) if len(raw) == 10 else None
    except ValueError:
        chosen = None
    if chosen is None:
        return today, _("That is not a date; showing today.")
    if chosen < today:
        return today, _("That day has passed; showing today.")
    if chosen > today + FURTHEST_AHEAD:
        return today, _("That day is too far ahead; showing today.")
    return chosen, ""


def dates_with_open_slots(organization, location, *, today: date, now: datetime) -> list[date]:
    zone = zoneinfo.ZoneInfo(location.time_zone)
    start = datetime.combine(today, time.min, tzinfo=zone)
    queryset = with_party_slot_bookings(
        PartySlot.objects.for_organization(organization).filter(
            location=location, starts_at__gte=start
        ),
        now=now,
    ).filter(bookings=0)
    days = queryset.datetimes("starts_at", "day", tzinfo=zone)[:DATES_SHOWN]
    return [moment.date() for moment in days]


def _packages(organization):
    return PartyPackage.objects.for_organization(organization).filter(shown_on_web=True)


@require_GET
def parties(request):
    today = local_today(request)
    day, date_note = _chosen_date(request, today)
    location = current_location(request)
    slots, dates = [], []
    if location is not None:
        dates = dates_with_open_slots(request.organization, location, today=today, now=request.now)
        if "date" not in request.GET and dates:
            day = dates[0]  # first visit: the first day with an open slot
        slots = list(
            listing.open_party_slots(request.organization, location, day=day, now=request.now)
        )
    context = {
        "packages": list(_packages(request.organization).prefetch_related("add_ons")),
        "day": day,
        "date_note": date_note,
        "slots": slots,
        "dates": dates,
        "today": today,
    }
    return render_page(request, "portal/booking/parties.html", context, fragment="slots")


@require_GET
def party_package(request, package_id: int):
    package = get_object_or_404(
        _packages(request.organization).prefetch_related("add_ons"), pk=package_id
    )
    return render(request, "portal/booking/party_package.html", {"package": package})

"""The family's calendar feed as iCalendar (RFC 5545), built from `family_schedule`.

Every meeting is a VEVENT with a UID that stays the same on every fetch (so calendar apps
update rather than duplicate), DTSTART/DTEND in the location's own zone (TZID plus a
VTIMEZONE for each zone used: a 9:00 class stays at 9:00 local across a daylight-saving
change), the location's name and address, and "student: class" as its summary. The feed
covers PAST_DAYS back (so last week's class is still there) to the end of every term. A
meeting marked absent is left out, a makeup is in; the words are in the family's language
(a calendar app sends no cookie).
"""

from datetime import UTC, datetime, timedelta

import icalendar
from django.utils.translation import gettext as _

from springboard.families.language import in_language_of
from springboard.portal.coming_up import Upcoming, family_schedule

PAST_DAYS = 28
# A hint to calendar apps (Apple, Outlook) on how often to fetch; Google decides on its own.
REFRESH = timedelta(hours=6)


def _summary(item: Upcoming) -> str:
    if item.kind == "party":
        return _("Party: %(package)s for %(name)s") % {"package": item.what, "name": item.student}
    if item.status == "makeup":
        return _("%(student)s: %(what)s (makeup)") % {"student": item.student, "what": item.what}
    return _("%(student)s: %(what)s") % {"student": item.student, "what": item.what}


def feed_calendar(family, *, organization, now: datetime) -> bytes:
    with in_language_of(family):
        return _calendar(family, organization=organization, now=now)


def _calendar(family, *, organization, now: datetime) -> bytes:
    items = [
        item
        for item in family_schedule(family, now=now, since=now - timedelta(days=PAST_DAYS))
        if item.status not in ("absent", "makeup_pending")
    ]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Springboard//Family schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("%(organization)s · %(family)s") % {
        "organization": organization.name,
        "family": family.name,
    }
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    stamp = now.astimezone(UTC)
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.key}@{organization.account_name}.springboard")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", _summary(item))
        event.add("location", ", ".join(p for p in (item.location, item.address) if p))
        event.add("categories", [item.kind])
        calendar.add_component(event)
    if items:
        # Only the transitions around the feed's dates: a small VTIMEZONE, not 1970–2038.
        calendar.add_missing_timezones(
            first_date=items[0].starts_at.date() - timedelta(days=366),
            last_date=max(i.ends_at for i in items).date() + timedelta(days=366),
        )
    return calendar.to_ical()

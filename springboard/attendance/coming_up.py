"""Which meetings a family has: its students' class meetings, camp days and parties, each at
its location's wall-clock time. One place lists them (`family_schedule`): Coming Up! on the
dashboard shows the next 14 days of it, the API's schedule the same, and the calendar feed
(portal/calendar_feed.py) a wider window.

Class meetings are computed by `catalog.schedule.meetings` (weekdays within the term, closures
skipped — a 9:00 class stays at 9:00 local across a daylight-saving change); camp days and
party slots are stored. Absences and makeups (docs/booking.md, "Absences and makeups"): a
meeting marked absent stays in the list, `status="absent"` (the dashboard strikes it, the
feed leaves it out); a makeup is one more meeting, `status="makeup"`; an absence or a makeup
waiting for staff's approval is `absence_pending` (the meeting, still attended) or
`makeup_pending` (the feed leaves it out until approved); a meeting that may still be
marked absent says so (`can_mark_absent`). Seven queries whatever the family has:
enrollments, event registrations, party bookings (each with what it needs joined), the
closures of the locations involved, the absence rules, the absences and the makeups.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from springboard.attendance import rules as attendance_rules
from springboard.attendance.models import HOLDING, MARKED, Absence, AbsenceStatus, Makeup
from springboard.booking.models import (
    Enrollment,
    EnrollmentStatus,
    EventRegistration,
    PartyBooking,
)
from springboard.catalog.schedule import closures_for, meetings
from springboard.core.prepared import Prepared

DAYS = 14


@dataclass(frozen=True)
class Upcoming:
    starts_at: datetime  # aware, in the location's time zone
    ends_at: datetime
    kind: str  # class, camp, party
    student: str
    what: str
    location: str
    address: str = ""
    # Stable for the same meeting on every call (the calendar feed's UID): what, who, when.
    key: str = ""
    # "absent" (marked absent), "makeup" (a makeup booked), "absence_pending" /
    # "makeup_pending" (asked for, waiting for staff); "" otherwise
    status: str = ""
    enrollment_id: int | None = None  # a class meeting of an enrollment
    meeting_date: date | None = None  # its local date (what "Mark absent" posts)
    can_mark_absent: bool = False  # before the cut-off, where the rules allow it

    @property
    def zone_name(self) -> str:
        return self.starts_at.tzname() or ""


def coming_up(family, *, now: datetime, days: int = DAYS) -> list[Upcoming]:
    """What has not ended yet, starting in the next `days` days."""
    return family_schedule(family, now=now, since=now, until=now + timedelta(days=days))


def family_schedule(
    family, *, now: datetime, since: datetime, until: datetime | None = None
) -> list[Upcoming]:
    """The family's meetings that end after `since` and start before `until` (None: as far
    as there are any — the end of each term, every future camp day and party), soonest
    first. `now` decides which enrollments still hold their place (a drop ahead: its
    meetings until it takes effect) and which meetings may still be marked absent."""
    items: list[Upcoming] = []
    low_day = (since - timedelta(days=1)).date()
    # The window's edges are values of their own (core.prepared binds values, not what is
    # derived from them): a bounded schedule (Coming Up!, the API) reads prepared queries.
    family_id, day_before = family.pk, since - timedelta(days=1)
    enrollments = _ENROLLMENTS(family_id=family_id, low_day=low_day, now=now)
    if until is None:  # the calendar feed: as far as there are any, through the ORM
        registrations = list(_registrations(family_id, low_day))
        parties = list(_parties(family_id, since))
        makeups = list(_makeups(family_id, day_before))
        marked = _absences(family_id, day_before) if enrollments else []
    else:
        until_day = (until + timedelta(days=1)).date()
        registrations = _REGISTRATIONS(family_id=family_id, low_day=low_day, until_day=until_day)
        parties = _PARTIES(family_id=family_id, since=since, until=until)
        makeups = _MAKEUPS(family_id=family_id, day_before=day_before, until=until)
        marked = (
            _ABSENCES(family_id=family_id, day_before=day_before, until=until)
            if enrollments
            else []
        )
    # Absences (and the rules) matter only to the family's class meetings: none, no query.
    absent = {(enrollment_id, day): status for enrollment_id, day, status in marked}

    location_ids = {e.course.location_id for e in enrollments}
    closures = closures_for(family.organization, location_ids=location_ids) if location_ids else []
    rules_for = attendance_rules.resolver(family.organization) if enrollments else None
    for enrollment in enrollments:
        course = enrollment.course
        location = course.location
        rules = rules_for(course)
        zone = zoneinfo.ZoneInfo(location.time_zone)
        first_day = since.astimezone(zone).date()
        for starts, ends in meetings(course, closures, on_or_after=first_day):
            if (until is not None and starts >= until) or (
                enrollment.ends_at and starts >= enrollment.ends_at
            ):
                break
            if ends <= since:
                continue
            marked = absent.get((enrollment.pk, starts.date()))
            is_absent = marked is not None
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "class",
                    enrollment.student.first_name,
                    course.name,
                    location.name,
                    location.one_line_address,
                    f"class-{course.pk}-student-{enrollment.student_id}-{starts.date():%Y%m%d}",
                    status=(
                        ""
                        if marked is None
                        else "absent"
                        if marked == AbsenceStatus.ABSENT
                        else "absence_pending"
                    ),
                    enrollment_id=enrollment.pk,
                    meeting_date=starts.date(),
                    can_mark_absent=not is_absent and attendance_rules.can_mark(rules, starts, now),
                )
            )

    for makeup in makeups:
        course = makeup.course
        location = course.location
        zone = zoneinfo.ZoneInfo(location.time_zone)
        starts = makeup.starts_at.astimezone(zone)
        ends = datetime.combine(makeup.date, course.end_time, tzinfo=zone)
        if ends > since:
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "class",
                    makeup.student.first_name,
                    course.name,
                    location.name,
                    location.one_line_address,
                    f"makeup-{makeup.pk}",
                    status="makeup" if makeup.status == "booked" else "makeup_pending",
                    meeting_date=makeup.date,
                )
            )

    for registration in registrations:
        day = registration.event_day
        event = day.event
        zone = zoneinfo.ZoneInfo(event.location.time_zone)
        starts = datetime.combine(day.date, day.start_time, tzinfo=zone)
        ends = datetime.combine(day.date, day.end_time, tzinfo=zone)
        if ends > since and (until is None or starts < until):
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "camp",
                    registration.student.first_name,
                    event.name,
                    event.location.name,
                    event.location.one_line_address,
                    f"camp-day-{day.pk}-student-{registration.student_id}",
                )
            )

    for booking in parties:
        location = booking.slot.location
        zone = zoneinfo.ZoneInfo(location.time_zone)
        items.append(
            Upcoming(
                booking.slot.starts_at.astimezone(zone),
                booking.slot.ends_at.astimezone(zone),
                "party",
                booking.guest_of_honour_name,
                booking.package.name,
                location.name,
                location.one_line_address,
                f"party-{booking.pk}",
            )
        )

    items.sort(key=lambda item: (item.starts_at, item.what, item.student))
    return items


def _enrollments(family_id: int, low_day: date, now: datetime):
    return (
        Enrollment.objects.filter(student__family_id=family_id, course__term__end_date__gte=low_day)
        .holding_place(now)
        .select_related("student", "course__location", "course__term")
    )


def _registrations(family_id: int, low_day: date, until_day: date | None = None):
    registrations = EventRegistration.objects.filter(
        student__family_id=family_id, status=EnrollmentStatus.ACTIVE, event_day__date__gte=low_day
    )
    if until_day is not None:
        registrations = registrations.filter(event_day__date__lte=until_day)
    return registrations.select_related("student", "event_day__event__location")


def _parties(family_id: int, since: datetime, until: datetime | None = None):
    parties = PartyBooking.objects.filter(
        family_id=family_id, status=EnrollmentStatus.ACTIVE, slot__ends_at__gt=since
    )
    if until is not None:
        parties = parties.filter(slot__starts_at__lt=until)
    return parties.select_related("slot__location", "package")


def _absences(family_id: int, day_before: datetime, until: datetime | None = None):
    """(enrollment id, date, status) of the marked meetings from a day before the window
    (an absence's start is its meeting's, which may have begun)."""
    absences = Absence.objects.filter(
        student__family_id=family_id, status__in=MARKED, starts_at__gt=day_before
    )
    if until is not None:
        absences = absences.filter(starts_at__lt=until)
    return absences.values_list("enrollment_id", "date", "status")


def _makeups(family_id: int, day_before: datetime, until: datetime | None = None):
    makeups = Makeup.objects.filter(
        family_id=family_id, status__in=HOLDING, starts_at__gt=day_before
    )
    if until is not None:
        makeups = makeups.filter(starts_at__lt=until)
    return makeups.select_related("student", "course__location")


# Compiled once per process (core.prepared): building these five reads through the tenant
# managers was most of the dashboard's CPU (docs/performance.md, "listcost").
_ENROLLMENTS = Prepared(_enrollments)
_REGISTRATIONS = Prepared(_registrations)
_PARTIES = Prepared(_parties)
_ABSENCES = Prepared(_absences)
_MAKEUPS = Prepared(_makeups)

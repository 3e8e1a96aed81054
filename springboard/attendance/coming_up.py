"""Coming Up! (the dashboard, the API's schedule, the calendar feed): the family's class
meetings, camp days and parties of the next 14 days, soonest first, each at its location's
wall-clock time.

Class meetings are computed by `catalog.schedule.meetings` (weekdays within the term, closures
skipped — a 9:00 class stays at 9:00 local across a daylight-saving change); camp days and
party slots are stored. Absences and makeups (docs/booking.md, "Absences and makeups"): a
meeting marked absent stays in the list, `status="absent"`; a makeup is one more meeting,
`status="makeup"`; a meeting that may still be marked absent says so (`can_mark_absent`).
This is the one source of a family's meetings (pages and feeds read it). Seven queries
whatever the family has: enrollments, event registrations, party bookings (each with what it
needs joined), the closures of the locations involved, the absence rules, the absences and
the makeups.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from springboard.attendance import rules as attendance_rules
from springboard.attendance.models import Absence, AbsenceStatus, Makeup, MakeupStatus
from springboard.booking.models import (
    Enrollment,
    EnrollmentStatus,
    EventRegistration,
    PartyBooking,
)
from springboard.catalog.schedule import closures_for, meetings

DAYS = 14


@dataclass(frozen=True)
class Upcoming:
    starts_at: datetime  # aware, in the location's time zone
    ends_at: datetime
    kind: str  # class, camp, party
    student: str
    what: str
    location: str
    status: str = ""  # "absent" (marked absent) or "makeup" (a makeup booked); "" otherwise
    enrollment_id: int | None = None  # a class meeting of an enrollment
    meeting_date: date | None = None  # its local date (what "Mark absent" posts)
    can_mark_absent: bool = False  # before the cut-off, where the rules allow it

    @property
    def zone_name(self) -> str:
        return self.starts_at.tzname() or ""


def coming_up(family, *, now: datetime, days: int = DAYS) -> list[Upcoming]:
    until = now + timedelta(days=days)
    items: list[Upcoming] = []

    enrollments = list(
        Enrollment.objects.filter(
            student__family=family,
            course__term__end_date__gte=(now - timedelta(days=1)).date(),
        )
        .holding_place(now)  # a drop ahead: its meetings until then
        .select_related("student", "course__location", "course__term")
    )
    registrations = list(
        EventRegistration.objects.filter(
            student__family=family,
            status=EnrollmentStatus.ACTIVE,
            event_day__date__gte=(now - timedelta(days=1)).date(),
            event_day__date__lte=(until + timedelta(days=1)).date(),
        ).select_related("student", "event_day__event__location")
    )
    parties = list(
        PartyBooking.objects.filter(
            family=family,
            status=EnrollmentStatus.ACTIVE,
            slot__ends_at__gt=now,
            slot__starts_at__lt=until,
        ).select_related("slot__location", "package")
    )

    location_ids = {e.course.location_id for e in enrollments}
    closures = closures_for(family.organization, location_ids=location_ids) if location_ids else []
    rules_for = attendance_rules.resolver(family.organization)
    absent = set(
        Absence.objects.filter(
            student__family=family,
            status=AbsenceStatus.ABSENT,
            starts_at__gt=now - timedelta(days=1),
            starts_at__lt=until,
        ).values_list("enrollment_id", "date")
    )
    makeups = list(
        Makeup.objects.filter(
            family=family,
            status=MakeupStatus.BOOKED,
            starts_at__gt=now - timedelta(days=1),
            starts_at__lt=until,
        ).select_related("student", "course__location")
    )
    for enrollment in enrollments:
        course = enrollment.course
        rules = rules_for(course)
        zone = zoneinfo.ZoneInfo(course.location.time_zone)
        local_today = now.astimezone(zone).date()
        for starts, ends in meetings(course, closures, on_or_after=local_today):
            if starts >= until or (enrollment.ends_at and starts >= enrollment.ends_at):
                break
            if ends <= now:
                continue
            is_absent = (enrollment.pk, starts.date()) in absent
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "class",
                    enrollment.student.first_name,
                    course.name,
                    course.location.name,
                    status="absent" if is_absent else "",
                    enrollment_id=enrollment.pk,
                    meeting_date=starts.date(),
                    can_mark_absent=not is_absent and attendance_rules.can_mark(rules, starts, now),
                )
            )

    for makeup in makeups:
        course = makeup.course
        zone = zoneinfo.ZoneInfo(course.location.time_zone)
        starts = makeup.starts_at.astimezone(zone)
        ends = datetime.combine(makeup.date, course.end_time, tzinfo=zone)
        if ends > now:
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "class",
                    makeup.student.first_name,
                    course.name,
                    course.location.name,
                    status="makeup",
                    meeting_date=makeup.date,
                )
            )

    for registration in registrations:
        day = registration.event_day
        event = day.event
        zone = zoneinfo.ZoneInfo(event.location.time_zone)
        starts = datetime.combine(day.date, day.start_time, tzinfo=zone)
        ends = datetime.combine(day.date, day.end_time, tzinfo=zone)
        if ends > now and starts < until:
            items.append(
                Upcoming(
                    starts,
                    ends,
                    "camp",
                    registration.student.first_name,
                    event.name,
                    event.location.name,
                )
            )

    for booking in parties:
        zone = zoneinfo.ZoneInfo(booking.slot.location.time_zone)
        items.append(
            Upcoming(
                booking.slot.starts_at.astimezone(zone),
                booking.slot.ends_at.astimezone(zone),
                "party",
                booking.guest_of_honour_name,
                booking.package.name,
                booking.slot.location.name,
            )
        )

    items.sort(key=lambda item: (item.starts_at, item.what, item.student))
    return items

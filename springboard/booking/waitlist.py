"""The waitlist of a full course: join, leave, offers that hold a seat, claiming an offer.

An offer is a place taken (springboard.booking.availability.course_offers) until it is
claimed or its time ends, so nobody else can take the seat meanwhile. Seats are offered in
order of joining, in the same locked transaction rule as holds (locking.locked on the course).
"""

from contextlib import suppress
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from springboard.booking import mail
from springboard.booking.locking import BookingBusy, BookingError, locked
from springboard.booking.models import (
    CartItem,
    ItemKind,
    WaitlistEntry,
    WaitlistStatus,
)
from springboard.booking.services import (
    course_conflicts,
    ensure_can_book,
    ensure_own_student,
    local_today,
    openings_now,
)
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Course
from springboard.catalog.schedule import closures_for

OPEN = [WaitlistStatus.WAITING, WaitlistStatus.OFFERED]


def offer_hours(organization) -> int:
    return organization.portal_settings.waitlist_offer_hours


def join(*, family, student, course: Course, now: datetime) -> WaitlistEntry:
    ensure_can_book(family)
    ensure_own_student(family, student)
    if not course.waitlist_allowed:
        raise BookingError(_("This class has no waitlist."))
    with locked(Course, [course.pk]):
        if WaitlistEntry.objects.filter(student=student, course=course, status__in=OPEN).exists():
            raise BookingError(
                _("%(name)s is already on the waitlist.") % {"name": student.first_name}
            )
        conflict = course_conflicts(student, course, now)
        if conflict:
            raise BookingError(conflict % {"name": student.first_name, "course": course})
        verdict = check_student(
            course,
            student,
            today=local_today(course.location, now),
            now=now,
            closures=closures_for(family.organization, location_ids=[course.location_id]),
        )
        if not verdict.eligible:
            raise BookingError(" ".join(verdict.reasons))
        if openings_now(course.pk, now=now).left > 0:
            raise BookingError(_("This class has openings: add it to your cart instead."))
        return WaitlistEntry.objects.create(
            organization=family.organization,
            family=family,
            student=student,
            course=course,
            joined_at=now,
        )


def leave(*, family, entry: WaitlistEntry, now: datetime) -> None:
    if entry.family_id != family.pk:
        raise BookingError(_("That is not your waitlist entry."))
    with locked(Course, [entry.course_id]):
        was_offered = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistStatus.OFFERED
        ).exists()
        WaitlistEntry.objects.filter(pk=entry.pk, status__in=OPEN).update(
            status=WaitlistStatus.LEFT
        )
    if was_offered:
        # Leaving stands; the next housekeeping run offers the seat when busy.
        with suppress(BookingBusy):
            offer_seats(entry.course, now=now)


def waiting(course):
    return WaitlistEntry.objects.filter(course=course, status=WaitlistStatus.WAITING)


def offer_seats(course: Course, *, now: datetime) -> list[WaitlistEntry]:
    """Offer every free seat of the course to the next waiting families, in order."""
    offered = []
    with locked(Course, [course.pk]):
        left = openings_now(course.pk, now=now).unheld  # offered to those waiting
        if left <= 0:
            return []
        hours = offer_hours(course.organization)
        for entry in waiting(course).select_related("family", "student", "course")[:left]:
            entry.status = WaitlistStatus.OFFERED
            entry.offered_at = now
            entry.offer_expires_at = now + timedelta(hours=hours)
            entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
            mail.send_offer(entry)
            offered.append(entry)
    return offered


def claim(*, family, entry: WaitlistEntry, now: datetime) -> CartItem:
    """The offer's seat goes into the cart, held until the offer's own deadline."""
    ensure_can_book(family)
    if entry.family_id != family.pk:
        raise BookingError(_("That offer is not yours."))
    with locked(Course, [entry.course_id]):
        entry = WaitlistEntry.objects.select_related("course", "student").get(pk=entry.pk)
        if entry.status != WaitlistStatus.OFFERED or entry.offer_expires_at <= now:
            raise BookingError(_("This offer has ended."))
        conflict = course_conflicts(entry.student, entry.course, now)
        if conflict:
            raise BookingError(
                conflict % {"name": entry.student.first_name, "course": entry.course}
            )
        entry.status = WaitlistStatus.CLAIMED
        entry.save(update_fields=["status"])
        return CartItem.objects.create(
            organization=family.organization,
            family=family,
            kind=ItemKind.COURSE,
            student=entry.student,
            course=entry.course,
            waitlist_entry=entry,
            added_at=now,
            expires_at=entry.offer_expires_at,
        )


def lapse_offers(now: datetime) -> list[int]:
    """Mark past-time offers lapsed; returns their courses (to offer the next family)."""
    lapsed = WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offer_expires_at__lte=now)
    course_ids = list(lapsed.values_list("course", flat=True).distinct())
    lapsed.update(status=WaitlistStatus.LAPSED)
    return course_ids


def entries_of(family, now: datetime):
    """The family's open entries with their position (1 = next), in one query."""
    ahead = (
        WaitlistEntry.objects.filter(course=OuterRef("course"), status=WaitlistStatus.WAITING)
        .filter(
            Q(joined_at__lt=OuterRef("joined_at"))
            | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        WaitlistEntry.objects.filter(family=family)
        .filter(
            Q(status=WaitlistStatus.WAITING)
            | Q(status=WaitlistStatus.OFFERED, offer_expires_at__gt=now)
        )
        .annotate(ahead=Subquery(ahead, output_field=IntegerField()))
        .select_related("student", "course__location")
    )

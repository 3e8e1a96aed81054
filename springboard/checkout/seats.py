"""What checkout re-checks under the locks of what is sold (docs/checkout.md): nothing is
oversold, no student is booked twice, and a payment that answered after the window books
only places that are still openings. Each raises a CheckoutError a family can read."""

from collections import Counter
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from springboard.booking.models import Enrollment, EventRegistration, ItemKind
from springboard.catalog.availability import (
    course_openings,
    openings_of,
    with_course_places_taken,
    with_event_day_places_taken,
    with_party_slot_bookings,
)
from springboard.catalog.models import Course, EventDay, PartySlot
from springboard.checkout.errors import CheckoutError, NotBookable
from springboard.core.prepared import Prepared, padded


def check_not_oversold(courses, days, slots, *, now: datetime) -> None:
    """Under the locks: nothing is oversold (our own holds are among the places taken, so a
    place is ours while places_left >= 0, and a party slot while it is booked once)."""
    for course_id, openings in openings_of(courses, now=now).items():
        if openings.oversold:
            course = Course.objects.get(pk=course_id)  # only to name it
            raise CheckoutError(_("%(course)s is full.") % {"course": course})
    # Nothing to build when the cart has no camp day or party (building the openings SQL
    # is what costs: docs/performance.md).
    for row in (
        with_event_day_places_taken(EventDay.objects.filter(pk__in=days), now=now) if days else ()
    ):
        if row.places_left < 0:
            raise CheckoutError(_("A camp day in your cart is full."))
    for row in (
        with_party_slot_bookings(PartySlot.objects.filter(pk__in=slots), now=now) if slots else ()
    ):
        if row.bookings > 1:
            raise CheckoutError(_("That party time is taken."))


def _active_enrollments(students: tuple, courses: tuple):
    return Enrollment.objects.filter(
        student_id__in=students, course_id__in=courses, status="active"
    ).values_list("student_id", "course_id")


# Asked by checkout start and by confirm: compiled once per process (core.prepared; building
# the OR of pairs was a tenth of checkout start's CPU: docs/performance.md, "checkout start
# and the cart page"). It reads the students' enrollments in the courses, a superset of the
# pairs wanted, which are picked out here.
_ACTIVE_ENROLLMENTS = Prepared(_active_enrollments)


def _enrolled(wanted: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (student, course) pairs have an active enrollment, in one query."""
    if not wanted:
        return set()
    students = padded(student for student, _course in wanted)
    courses = padded(course for _student, course in wanted)
    if students is None or courses is None:  # a cart of more than 32 classes or students
        either = Q()
        for student, course in wanted:
            either |= Q(student_id=student, course_id=course)
        active = Enrollment.objects.filter(either, status="active")
        return set(active.values_list("student_id", "course_id"))
    found = _ACTIVE_ENROLLMENTS(students=students, courses=courses)
    return set(found) & set(wanted)


def check_not_booked(items) -> None:
    """Already booked? No student is enrolled in a class of the order or registered for one
    of its camp days (staff may have booked it meanwhile). The party slot: check_not_oversold.
    The classes in one query, whatever their number."""
    wanted = [(i.student_id, i.course_id) for i in items if i.kind == ItemKind.COURSE]
    enrolled = _enrolled(wanted)
    for item in items:
        if item.kind == ItemKind.COURSE:
            if (item.student_id, item.course_id) in enrolled:
                raise CheckoutError(
                    _("%(name)s is already enrolled in %(course)s.")
                    % {"name": item.student.first_name, "course": item.course}
                )
        elif item.kind == ItemKind.EVENT:
            booked = EventRegistration.objects.filter(
                student=item.student,
                event_day__in=[d.event_day_id for d in item.days.all()],
                status="active",
            ).exists()
            if booked:
                raise CheckoutError(
                    _("%(name)s is already booked on a day of %(event)s.")
                    % {"name": item.student.first_name, "event": item.event}
                )


def check_still_free(courses, days, slots, *, now: datetime) -> None:
    """The window passed while the payment was being taken, so the order's places were
    released: book them only if they are still openings for a newcomer (the one openings
    rule: families waiting come first), never oversell."""
    taken = NotBookable(
        _(
            "The time to pay for this order ran out before the payment arrived, and its "
            "places were taken meanwhile."
        )
    )
    wanted = Counter(courses)
    for row in with_course_places_taken(Course.objects.filter(pk__in=wanted), now=now):
        if course_openings(row, now=now).left < wanted[row.pk]:
            raise taken
    wanted = Counter(days)
    for row in with_event_day_places_taken(EventDay.objects.filter(pk__in=wanted), now=now):
        if row.places_left < wanted[row.pk]:
            raise taken
    for row in with_party_slot_bookings(PartySlot.objects.filter(pk__in=slots), now=now):
        if row.bookings:
            raise taken

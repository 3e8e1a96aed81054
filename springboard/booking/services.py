"""Adding to the cart, removing, and the waitlist: every seat taken through `locking.locked`.

Each add is one short transaction: lock what is sold (sorted, once, with a timeout), then
re-read availability and eligibility, then write the hold. `after_read` is a test hook called
between reading availability and writing the hold (tests put a barrier there to show the race
that the lock prevents). `lock=False` exists only for that test.
"""

import zoneinfo
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Min, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from springboard.booking.locking import BookingBusy, BookingError, locked, locked_reading
from springboard.booking.models import (
    STILL_KEEPING,
    CartItem,
    CartItemAddOn,
    CartItemDay,
    Enrollment,
    EventRegistration,
    HoldStatus,
    ItemKind,
)
from springboard.catalog import availability
from springboard.catalog.availability import (
    Openings,
    with_event_day_places_taken,
    with_party_slot_bookings,
)
from springboard.catalog.eligibility import age_in_months, check_student, gender_qualifies
from springboard.catalog.models import Course, EventDay, PartySlot
from springboard.catalog.schedule import closures_for
from springboard.core.prepared import Prepared

__all__ = ["BookingBusy", "BookingError"]

MAX_QUANTITY = 50
Hook = Callable[[], None] | None


def hold_minutes(organization) -> int:
    return organization.portal_settings.cart_hold_minutes


def local_today(location, now: datetime) -> date:
    return timezone.localtime(now, zoneinfo.ZoneInfo(location.time_zone)).date()


def ensure_can_book(family) -> None:
    if not family.can_book:
        raise BookingError(_("Please confirm your email address before booking."))


def ensure_own_student(family, student) -> None:
    if student.family_id != family.pk or not student.is_active:
        raise BookingError(_("That student is not in your family."))


# ----- courses -------------------------------------------------------------------------------


def _enrolled(student_id: int, course_id: int, now: datetime):
    return (
        Enrollment.objects.filter(student_id=student_id, course_id=course_id)
        .holding_place(now)
        .values_list("pk", flat=True)[:1]
    )


def _kept(student_id: int, course_id: int, now: datetime):
    return (
        CartItem.objects.filter(student_id=student_id, course_id=course_id)
        .keeping(now)
        .order_by("pk")
        .values_list("status", flat=True)[:1]
    )


def _course(course_id: int):
    return Course.objects.filter(pk=course_id).select_related("term", "location")


def _course_locking(course_id: int):
    return (
        Course.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=course_id)
        .select_related("term", "location")
    )


def _course_again(course_id: int, lock: bool = False) -> Course:
    """The course read again, taking its lock when `lock` (the lock and the read one
    statement: locking.locked_reading); Course.DoesNotExist if it is gone."""
    found = (_COURSE_LOCKING if lock else _COURSE)(course_id=course_id)
    if not found:
        raise Course.DoesNotExist
    return found[0]


def _conflicts(student_id: int, course_id: int, now: datetime):
    """One row (the course's): is the student enrolled, and the status of a cart item of
    theirs keeping a seat (None if none): both of course_conflicts' questions, one query."""
    return (
        Course.objects.filter(pk=course_id)
        .annotate(
            enrolled=Exists(_enrolled(student_id, course_id, now)),
            kept=Subquery(_kept(student_id, course_id, now)),
        )
        .values_list("enrolled", "kept")
    )


# Asked on every add: compiled once per process (core.prepared; docs/performance.md).
_CONFLICTS = Prepared(_conflicts, key=lambda: tuple(STILL_KEEPING.items()))
_COURSE = Prepared(_course)
_COURSE_LOCKING = Prepared(_course_locking)


def course_conflicts(student, course, now) -> str | None:
    """Already booked? Enrolled, held in the cart, or in an order waiting for payment."""
    found = _CONFLICTS(student_id=student.pk, course_id=course.pk, now=now)
    enrolled, kept = found[0] if found else (False, None)
    if enrolled:
        return _("%(name)s is already enrolled in %(course)s.")
    if kept == HoldStatus.ACTIVE:
        return _("%(name)s already has %(course)s in the cart.")
    if kept is not None:
        return _("%(name)s already has %(course)s in an order waiting for payment.")
    return None


def openings_now(course_id: int, *, now: datetime) -> Openings:
    """The course's openings read from the database at `now` (under its lock, never from a
    row annotated earlier): catalog.availability's one rule, waiting families included."""
    return availability.openings_now(course_id, now=now)


def add_course(
    *,
    family,
    students: Iterable,
    course: Course,
    now: datetime,
    lock: bool = True,
    after_read: Hook = None,
) -> list[CartItem]:
    """Hold a seat of `course` for each student (all or none)."""
    ensure_can_book(family)
    students = list(students)
    if not students:
        raise BookingError(_("Choose at least one student."))
    if len({s.pk for s in students}) != len(students):
        raise BookingError(_("Each student can take a class once."))
    for student in students:
        ensure_own_student(family, student)
    organization = family.organization
    today = local_today(course.location, now)
    closures = closures_for(organization, location_ids=[course.location_id])
    pk = course.pk
    with locked_reading(lambda lock: _course_again(pk, lock), lock=lock) as course:
        for student in students:
            conflict = course_conflicts(student, course, now)
            if conflict:
                raise BookingError(conflict % {"name": student.first_name, "course": course})
            verdict = check_student(course, student, today=today, now=now, closures=closures)
            if not verdict.eligible:
                raise BookingError(" ".join(verdict.reasons))
        # The openings rule (families on the waitlist come first) is availability's.
        left = openings_now(course.pk, now=now).left
        if after_read:
            after_read()
        if left < len(students):
            if left <= 0:
                raise BookingError(_("%(course)s is full.") % {"course": course})
            raise BookingError(
                _("%(course)s has only %(count)s openings left.")
                % {"course": course, "count": left}
            )
        expires = now + timedelta(minutes=hold_minutes(organization))
        return [
            CartItem.objects.create(
                organization=organization,
                family=family,
                kind=ItemKind.COURSE,
                student=student,
                course=course,
                added_at=now,
                expires_at=expires,
            )
            for student in students
        ]


# ----- events (camps) ------------------------------------------------------------------------


def add_event(
    *,
    family,
    student,
    event,
    days: Iterable[EventDay] = (),
    whole: bool = False,
    now: datetime,
    lock: bool = True,
    after_read: Hook = None,
) -> CartItem:
    """Hold camp days for a student: the whole event or chosen single days."""
    ensure_can_book(family)
    ensure_own_student(family, student)
    today = local_today(event.location, now)
    upcoming = {day.pk: day for day in event.days.filter(date__gte=today)}
    if whole:
        if event.price_whole_event is None:
            raise BookingError(_("This event cannot be booked as a whole."))
        chosen = sorted(upcoming)
        if len(chosen) != event.days.count():
            raise BookingError(_("This event has already started; choose single days."))
    else:
        if not event.single_days_bookable:
            raise BookingError(_("This event is booked as a whole only."))
        chosen = sorted({day.pk for day in days})
        if not chosen:
            raise BookingError(_("Choose at least one day."))
        if any(pk not in upcoming for pk in chosen):
            raise BookingError(_("One of those days has passed."))
    if not chosen:
        raise BookingError(_("This event has no more days."))
    first = upcoming[chosen[0]].date
    age = age_in_months(student.birth_date, first)
    if not event.min_age_in_months <= age <= event.max_age_in_months:
        raise BookingError(
            _("%(ages)s; %(name)s is not in that range on the first day.")
            % {"ages": event.ages_label, "name": student.first_name}
        )
    if not gender_qualifies(student.gender, event.gender):
        raise BookingError(
            _("This event is for %(gender)s only.") % {"gender": event.get_gender_display()}
        )
    with locked(EventDay, chosen, lock=lock):
        # Already booked? Held, waiting in a pending order, or registered.
        held = set(
            CartItemDay.objects.filter(
                event_day__in=chosen,
                cart_item__in=CartItem.objects.filter(student=student).keeping(now),
            ).values_list("event_day", flat=True)
        ) | set(
            EventRegistration.objects.filter(
                event_day__in=chosen, student=student, status="active"
            ).values_list("event_day", flat=True)
        )
        if held:
            raise BookingError(
                _("%(name)s already has one of those days.") % {"name": student.first_name}
            )
        full = [
            day
            for day in with_event_day_places_taken(
                EventDay.objects.filter(pk__in=chosen).select_related("event"), now=now
            )
            if day.places_left <= 0
        ]
        if after_read:
            after_read()
        if full:
            raise BookingError(
                _("%(day)s is full.") % {"day": f"{full[0].date:%a %d %b}"}
                if len(full) == 1
                else _("Some of those days are full.")
            )
        item = CartItem.objects.create(
            organization=family.organization,
            family=family,
            kind=ItemKind.EVENT,
            student=student,
            event=event,
            whole_event=whole,
            added_at=now,
            expires_at=now + timedelta(minutes=hold_minutes(family.organization)),
        )
        CartItemDay.objects.bulk_create(
            [CartItemDay(cart_item=item, event_day_id=pk) for pk in chosen]
        )
        return item


# ----- parties -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyChoice:
    slot: PartySlot
    package: object
    guest_count: int
    add_ons: dict  # PartyAddOn -> quantity (> 0)
    honour_student: object = None
    honour_name: str = ""


def add_party(
    *,
    family,
    choice: PartyChoice,
    now: datetime,
    lock: bool = True,
    after_read: Hook = None,
) -> CartItem:
    ensure_can_book(family)
    slot, package = choice.slot, choice.package
    if slot.starts_at <= now:
        raise BookingError(_("That time slot has passed."))
    if not slot.packages.filter(pk=package.pk).exists():
        raise BookingError(_("That package is not offered in this time slot."))
    if not 1 <= choice.guest_count <= package.max_guests:
        raise BookingError(
            _("The number of guests must be between 1 and %(max)s.") % {"max": package.max_guests}
        )
    for add_on, quantity in choice.add_ons.items():
        if add_on.package_id != package.pk:
            raise BookingError(_("That add-on is not part of this package."))
        if not 0 < quantity <= MAX_QUANTITY:
            raise BookingError(
                _("Quantities must be between 1 and %(max)s.") % {"max": MAX_QUANTITY}
            )
    if choice.honour_student is not None:
        ensure_own_student(family, choice.honour_student)
    elif not choice.honour_name.strip():
        raise BookingError(_("Tell us who the party is for."))
    with locked(PartySlot, [slot.pk], lock=lock):
        slots = PartySlot.objects.filter(pk=slot.pk)
        booked = with_party_slot_bookings(slots, now=now).get().bookings
        if after_read:
            after_read()
        if booked:
            raise BookingError(_("Sorry, that time slot has just been taken."))
        item = CartItem.objects.create(
            organization=family.organization,
            family=family,
            kind=ItemKind.PARTY,
            party_slot=slot,
            party_package=package,
            guest_count=choice.guest_count,
            guest_of_honour=choice.honour_student,
            guest_of_honour_name="" if choice.honour_student else choice.honour_name.strip(),
            added_at=now,
            expires_at=now + timedelta(minutes=hold_minutes(family.organization)),
        )
        CartItemAddOn.objects.bulk_create(
            [
                CartItemAddOn(cart_item=item, add_on=add_on, quantity=quantity)
                for add_on, quantity in choice.add_ons.items()
            ]
        )
        return item


# ----- the cart ------------------------------------------------------------------------------


def remove_item(*, family, item: CartItem, now: datetime) -> None:
    """Give a held seat back at once (the waitlist is offered it by `waitlist.offer_seats`)."""
    from springboard.booking import waitlist  # it imports this module

    if item.family_id != family.pk:
        raise BookingError(_("That is not in your cart."))
    updated = CartItem.objects.filter(pk=item.pk, status=HoldStatus.ACTIVE).update(
        status=HoldStatus.REMOVED
    )
    if updated and item.course_id:
        # The removal stands; the next housekeeping run offers the seat when busy.
        with suppress(BookingBusy):
            waitlist.offer_seats(item.course, now=now)


def cart_items(family, now: datetime):
    """The family's held items, with everything the cart page shows (constant queries)."""
    return (
        CartItem.objects.filter(family=family)
        .holding(now)
        .select_related(
            "student",
            "course__location",
            "course__term",
            "event__location",
            "party_slot__location",
            "party_package",
            "guest_of_honour",
            "variant__product",
            "location",
            "gift_card_purchase",
        )
        .prefetch_related("days__event_day", "add_ons__add_on")
    )


RECENTLY_EXPIRED_SHOWN = 10


def _recently_expired(organization_id: int, family_id: int, since: datetime, now: datetime):
    return (
        CartItem.objects.filter(
            organization_id=organization_id, family_id=family_id, added_at__gte=since
        )
        .filter(Q(status=HoldStatus.EXPIRED) | Q(status=HoldStatus.ACTIVE, expires_at__lte=now))
        .exclude(kind=ItemKind.GIFT_CARD)  # nothing scarce: bought again from eGift Cards
        .select_related(
            "student", "course", "event", "party_slot", "party_package", "variant__product"
        )
        .prefetch_related("days")
        .order_by("-expires_at", "-id")[:RECENTLY_EXPIRED_SHOWN]
    )


# The cart page asks it on every view: compiled once per process (core.prepared; building
# this join was about a third of the cart page's CPU: docs/performance.md, "checkout start
# and the cart page").
_RECENTLY_EXPIRED = Prepared(_recently_expired)


def recently_expired(family, now: datetime, *, hours: int = 2) -> list[CartItem]:
    """The latest items (at most RECENTLY_EXPIRED_SHOWN) whose time ran out lately, swept or
    not, with their camp days, so the cart can offer them again."""
    items = _RECENTLY_EXPIRED(
        organization_id=family.organization_id,
        family_id=family.pk,
        since=now - timedelta(hours=hours),
        now=now,
    )
    for item in items:
        item.family = family
    return items


def cart_count(family, now: datetime) -> int:
    return CartItem.objects.filter(family=family).holding(now).count()


def _cart_summary(family_id: int, now: datetime):
    return (
        CartItem.objects.filter(family_id=family_id)
        .holding(now)
        .order_by()
        .values("family")
        .annotate(count=Count("pk"), first_expiry=Min("expires_at"))
        .values("count", "first_expiry")
    )


# Every portal page's toolbar asks it: compiled once per process (core.prepared; building the
# aggregate cost ~0.7 ms of CPU a page, the prepared read 0.16; docs/performance.md).
_CART_SUMMARY = Prepared(_cart_summary)


def cart_summary(family, now: datetime) -> dict:
    """The toolbar's count and the soonest hold's end, in one query."""
    found = _CART_SUMMARY(family_id=family.pk, now=now)
    return found[0] if found else {"count": 0, "first_expiry": None}


def cart_summary_of(held: list[CartItem]) -> dict:
    """cart_summary's answer from the family's held items at the same `now`, when the page
    has read them already (the cart page): no second query."""
    if not held:
        return {"count": 0, "first_expiry": None}
    return {"count": len(held), "first_expiry": min(item.expires_at for item in held)}


def sweep_expired_holds(now: datetime) -> list[int]:
    """Mark past-time holds expired; returns the courses whose seats came back."""
    expired = CartItem.objects.filter(status=HoldStatus.ACTIVE, expires_at__lte=now)
    course_ids = list(expired.exclude(course=None).values_list("course", flat=True).distinct())
    expired.update(status=HoldStatus.EXPIRED)
    return course_ids


def price_preview(item: CartItem):
    """What the item would cost before fees and proration (checkout prices it for real).
    Uses only what cart_items() prefetched."""
    if item.kind == ItemKind.GIFT_CARD:
        return item.gift_card_purchase.amount
    if item.kind == ItemKind.COURSE:
        return item.course.tuition
    if item.kind == ItemKind.PRODUCT:
        return item.variant.unit_price * (item.quantity or 1)
    if item.kind == ItemKind.EVENT:
        if item.whole_event:
            return item.event.price_whole_event or Decimal("0.00")
        return (item.event.price_per_day or Decimal("0.00")) * len(item.days.all())
    package = item.party_package
    extra_guests = max((item.guest_count or 0) - package.guests_included, 0)
    add_ons = sum(
        (line.add_on.price * line.quantity for line in item.add_ons.all()), Decimal("0.00")
    )
    return package.price + package.price_per_extra_guest * extra_guests + add_ons

"""Holds: taking seats, refusing full or ineligible ones, expiry on read."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from springboard.booking import services
from springboard.booking.locking import BookingError
from springboard.booking.models import CartItem, Enrollment, HoldStatus
from springboard.booking.services import PartyChoice
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course, PartyAddOn
from springboard.checkout.models import Order, OrderItem
from tests import family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 15, tzinfo=catalog.CHICAGO)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _family(org, **kwargs):
    family = family_factories.family(org, **kwargs)
    return family, family_factories.student(family, birth_date=date(2020, 6, 1))


def _places_left(course):
    return course_openings(Course.objects.get(pk=course.pk), now=timezone.now()).left


def test_it_holds_a_seat_that_openings_everywhere_subtract(org):
    course = catalog.course(org, capacity=3)
    family, student = _family(org)
    [item] = services.add_course(family=family, students=[student], course=course, now=NOW)
    assert item.expires_at == NOW + timedelta(minutes=15)
    assert _places_left(course) == 2


def test_several_students_at_once_and_never_the_same_student_twice(org):
    course = catalog.course(org, capacity=5)
    family, first = _family(org)
    second = family_factories.student(family, birth_date=date(2020, 6, 1))
    services.add_course(family=family, students=[first, second], course=course, now=NOW)
    assert _places_left(course) == 3
    with pytest.raises(BookingError, match="already has"):
        services.add_course(family=family, students=[first], course=course, now=NOW)


def test_it_refuses_a_full_course(org):
    course = catalog.course(org, capacity=1)
    family, student = _family(org)
    other = family_factories.student(family)
    Enrollment.objects.create(organization=org, student=other, course=course, created_at=NOW)
    with pytest.raises(BookingError, match="full"):
        services.add_course(family=family, students=[student], course=course, now=NOW)


def test_it_refuses_an_ineligible_student_for_the_same_reason_as_the_page(org):
    course = catalog.course(org, capacity=5)
    family, _ = _family(org)
    toddler = family_factories.student(family, birth_date=date(2024, 1, 1))
    with pytest.raises(BookingError, match="Ages 5-7"):
        services.add_course(family=family, students=[toddler], course=course, now=NOW)


def test_an_unconfirmed_family_cannot_book(org):
    course = catalog.course(org)
    family, student = _family(org, confirmed=False)
    with pytest.raises(BookingError, match="confirm your email"):
        services.add_course(family=family, students=[student], course=course, now=NOW)


def test_another_familys_student_is_refused(org):
    course = catalog.course(org)
    family, _ = _family(org)
    _, stranger = _family(org, last_name="Other")
    with pytest.raises(BookingError):
        services.add_course(family=family, students=[stranger], course=course, now=NOW)


def test_an_expired_hold_returns_the_seat_without_any_sweep(org):
    course = catalog.course(org, capacity=1)
    family, student = _family(org)
    services.add_course(family=family, students=[student], course=course, now=NOW)
    assert _places_left(course) == 0
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        assert _places_left(course) == 1
        assert services.cart_count(family, timezone.now()) == 0
        # The family may add it again while it is open.
        services.add_course(family=family, students=[student], course=course, now=timezone.now())
    assert CartItem.objects.filter(status=HoldStatus.ACTIVE).count() == 2  # one stale, unswept


def test_adding_an_item_does_not_extend_the_others(org):
    family, student = _family(org)
    first = catalog.course(org, name="A")
    second = catalog.course(org, name="B")
    [one] = services.add_course(family=family, students=[student], course=first, now=NOW)
    later = NOW + timedelta(minutes=10)
    services.add_course(family=family, students=[student], course=second, now=later)
    one.refresh_from_db()
    assert one.expires_at == NOW + timedelta(minutes=15)


def test_removing_an_item_frees_its_seat(org):
    course = catalog.course(org, capacity=1)
    family, student = _family(org)
    [item] = services.add_course(family=family, students=[student], course=course, now=NOW)
    services.remove_item(family=family, item=item, now=NOW)
    assert _places_left(course) == 1


def test_camp_days_are_held_per_day(org):
    camp = catalog.event(
        org, days=[date(2027, 3, 15), date(2027, 3, 16)], capacity_per_day=1, min_age_years=5
    )
    family, student = _family(org)
    day1, day2 = camp.days.all()
    services.add_event(family=family, student=student, event=camp, days=[day1], now=NOW)
    _, other = _family(org, last_name="Other")
    with pytest.raises(BookingError, match="full"):
        services.add_event(family=other.family, student=other, event=camp, days=[day1], now=NOW)
    services.add_event(family=other.family, student=other, event=camp, days=[day2], now=NOW)


def test_a_whole_camp_holds_every_day(org):
    camp = catalog.event(
        org,
        days=[date(2027, 3, 15), date(2027, 3, 16)],
        capacity_per_day=1,
        price_whole_event=90,
    )
    family, student = _family(org)
    item = services.add_event(family=family, student=student, event=camp, whole=True, now=NOW)
    assert item.days.count() == 2


def _party(org):
    package = catalog.party_package(org, max_guests=12)
    add_on = PartyAddOn.objects.create(package=package, name="Pizza", price=20)
    slot = catalog.party_slot(org, NOW + timedelta(days=3), packages=[package])
    return slot, package, add_on


def test_a_party_slot_is_held_once(org):
    slot, package, add_on = _party(org)
    family, student = _family(org)
    choice = PartyChoice(slot, package, 10, {add_on: 2}, honour_student=student)
    item = services.add_party(family=family, choice=choice, now=NOW)
    assert item.add_ons.get().quantity == 2
    other, _ = _family(org, last_name="Other")
    again = PartyChoice(slot, package, 5, {}, honour_name="Sam")
    with pytest.raises(BookingError, match="just been taken"):
        services.add_party(family=other, choice=again, now=NOW)


@pytest.mark.parametrize("guests", [0, -1, 13, 10_000])
def test_guest_counts_out_of_range_are_refused(org, guests):
    slot, package, _ = _party(org)
    family, _ = _family(org)
    with pytest.raises(BookingError, match="between 1 and 12"):
        services.add_party(
            family=family, choice=PartyChoice(slot, package, guests, {}, honour_name="Sam"), now=NOW
        )


@pytest.mark.parametrize("quantity", [0, -3, 51, 10**9])
def test_add_on_quantities_out_of_range_are_refused(org, quantity):
    slot, package, add_on = _party(org)
    family, _ = _family(org)
    choice = PartyChoice(slot, package, 5, {add_on: quantity}, honour_name="Sam")
    with pytest.raises(BookingError, match="Quantities"):
        services.add_party(family=family, choice=choice, now=NOW)


def test_a_held_party_slot_and_camp_day_return_when_the_hold_expires(org):
    from springboard.catalog.availability import (
        with_event_day_places_taken,
        with_party_slot_bookings,
    )
    from springboard.catalog.models import EventDay, PartySlot

    slot, package, _ = _party(org)
    camp = catalog.event(org, days=[date(2027, 3, 15)], capacity_per_day=1)
    family, student = _family(org)
    services.add_party(
        family=family, choice=PartyChoice(slot, package, 5, {}, honour_name="Sam"), now=NOW
    )
    services.add_event(family=family, student=student, event=camp, days=camp.days.all(), now=NOW)

    def slot_bookings():
        return (
            with_party_slot_bookings(PartySlot.objects.filter(pk=slot.pk), now=timezone.now())
            .get()
            .bookings
        )

    def day_left():
        return (
            with_event_day_places_taken(EventDay.objects.filter(event=camp), now=timezone.now())
            .get()
            .places_left
        )

    assert (slot_bookings(), day_left()) == (1, 0)
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        assert (slot_bookings(), day_left()) == (0, 1)


def test_the_classes_page_shows_a_course_full_of_holds_as_full(client, org):
    course = catalog.course(org, capacity=1, name="Only Seat")
    family, student = _family(org)
    services.add_course(family=family, students=[student], course=course, now=NOW)
    page = client.get("/acme/booking/classes/").content.decode()
    assert "FULL — waitlist" in page


def test_a_whole_event_without_days_is_a_message(org):
    camp = catalog.event(org, days=[], price_whole_event=90)
    family, student = _family(org)
    with pytest.raises(BookingError, match="no more days"):
        services.add_event(family=family, student=student, event=camp, whole=True, now=NOW)


def test_a_past_camp_day_is_refused(org):
    camp = catalog.event(org, days=[date(2026, 11, 20), date(2027, 3, 15)])
    family, student = _family(org)
    past = camp.days.get(date=date(2026, 11, 20))
    with pytest.raises(BookingError, match="passed"):
        services.add_event(family=family, student=student, event=camp, days=[past], now=NOW)
    with pytest.raises(BookingError, match="already started"):
        camp.price_whole_event = 90
        services.add_event(family=family, student=student, event=camp, whole=True, now=NOW)


def test_the_toolbar_summary_counts_only_this_familys_unexpired_holds(org):
    from springboard.core.prepared import compiled

    first, second = catalog.course(org), catalog.course(org, name="Tumbling")
    family, student = _family(org)
    other, other_student = _family(org, last_name="Other")
    assert services.cart_summary(family, NOW) == {"count": 0, "first_expiry": None}
    services.add_course(family=family, students=[student], course=first, now=NOW)
    soonest = CartItem.objects.get(family=family).expires_at
    later = NOW + timedelta(minutes=5)
    services.add_course(family=family, students=[student], course=second, now=later)
    services.add_course(family=other, students=[other_student], course=first, now=NOW)
    assert services.cart_summary(family, later) == {"count": 2, "first_expiry": soonest}
    # The first hold's time is up: it no longer counts, the second's end is the soonest.
    after_first = soonest + timedelta(seconds=1)
    second_end = CartItem.objects.get(family=family, course=second).expires_at
    assert services.cart_summary(family, after_first) == {"count": 1, "first_expiry": second_end}
    # Prepared, not left to the ORM (one compilation per language/scope seen in this process).
    kept = compiled(services._CART_SUMMARY)
    assert kept and all(kept)


def test_it_says_why_a_student_cannot_take_a_class_twice(org):
    """Enrolled, in the cart, or in an order waiting for payment: one query asks all three
    (docs/performance.md, "pagecost"); another student or class is not a conflict."""
    course, other_course = catalog.course(org, capacity=5), catalog.course(org, capacity=5)
    family, student = _family(org)
    sibling = family_factories.student(family, birth_date=date(2020, 6, 1))
    Enrollment.objects.create(organization=org, student=student, course=course, created_at=NOW)
    with pytest.raises(BookingError, match="is already enrolled in"):
        services.add_course(family=family, students=[student], course=course, now=NOW)
    [item] = services.add_course(family=family, students=[sibling], course=course, now=NOW)
    with pytest.raises(BookingError, match="already has .* in the cart"):
        services.add_course(family=family, students=[sibling], course=course, now=NOW)
    assert services.course_conflicts(sibling, other_course, NOW) is None
    CartItem.objects.filter(pk=item.pk).update(status=HoldStatus.CONVERTED)
    order = Order.objects.create(
        organization=org,
        family=family,
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=10),
        total=0,
        due_now=0,
        priced_on=NOW.date(),
    )
    OrderItem.objects.create(order=order, cart_item=item)
    with pytest.raises(BookingError, match="in an order waiting for payment"):
        services.add_course(family=family, students=[sibling], course=course, now=NOW)

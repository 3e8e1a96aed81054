"""A student is never booked (and charged) twice for the same thing: every "already booked?"
check counts what is held, what waits in a pending order, and what is booked — for classes,
camp days and party slots alike — and the database refuses a second active row."""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from springboard.booking import services, waitlist
from springboard.booking.locking import BookingError
from springboard.booking.models import EventRegistration, PartyBooking
from springboard.checkout import services as checkout
from tests.billing.factories import card_token
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
PARTY_AT = datetime(2027, 2, 6, 15, tzinfo=catalog.CHICAGO)


def _pay(org, order):
    request = checkout.PayRequest(attempt=order.attempt, token=card_token(org))
    return checkout.pay(order=order, request=request, user=None, now=timezone.now())


def test_a_camp_day_waiting_in_a_pending_order_cannot_be_held_again(org, family):
    fam, kid = family
    now = timezone.now()
    camp = catalog.event(org, days=[date(2027, 3, 15)], capacity_per_day=5)
    day = camp.days.get()
    services.add_event(family=fam, student=kid, event=camp, days=[day], now=now)
    order = checkout.start_checkout(family=fam, user=None, now=now)

    with pytest.raises(BookingError, match="already has one of those days"):
        services.add_event(family=fam, student=kid, event=camp, days=[day], now=now)

    _pay(org, order)
    with pytest.raises(BookingError, match="already has one of those days"):
        services.add_event(family=fam, student=kid, event=camp, days=[day], now=now)
    assert EventRegistration.objects.filter(student=kid, event_day=day).count() == 1


def test_a_class_waiting_in_a_pending_order_cannot_be_held_again(org, family):
    fam, kid = family
    now = timezone.now()
    course = catalog.course(org, capacity=5)
    services.add_course(family=fam, students=[kid], course=course, now=now)
    checkout.start_checkout(family=fam, user=None, now=now)

    with pytest.raises(BookingError, match="waiting for payment"):
        services.add_course(family=fam, students=[kid], course=course, now=now)


def test_a_student_in_a_pending_order_for_a_full_class_cannot_join_its_waitlist(org, family):
    fam, kid = family
    now = timezone.now()
    course = catalog.course(org, capacity=1, waitlist_allowed=True)
    services.add_course(family=fam, students=[kid], course=course, now=now)
    checkout.start_checkout(family=fam, user=None, now=now)

    with pytest.raises(BookingError, match="waiting for payment"):
        waitlist.join(family=fam, student=kid, course=course, now=now)


def test_a_party_slot_in_a_pending_order_cannot_be_held_by_another_family(org, family):
    fam, kid = family
    now = timezone.now()
    package = catalog.party_package(org)
    slot = catalog.party_slot(org, PARTY_AT, packages=[package])
    choice = services.PartyChoice(
        slot=slot, package=package, guest_count=5, add_ons={}, honour_student=kid
    )
    services.add_party(family=fam, choice=choice, now=now)
    checkout.start_checkout(family=fam, user=None, now=now)
    other, other_kid = make_family(org, last_name="Other")
    choice = services.PartyChoice(
        slot=slot, package=package, guest_count=5, add_ons={}, honour_student=other_kid
    )
    with pytest.raises(BookingError, match="just been taken"):
        services.add_party(family=other, choice=choice, now=now)


def test_the_database_refuses_a_second_active_registration_for_a_camp_day(org, family):
    fam, kid = family
    day = catalog.event(org, days=[date(2027, 3, 15)]).days.get()
    fields = {"organization": org, "student": kid, "event_day": day, "created_at": timezone.now()}
    EventRegistration.objects.create(**fields)
    EventRegistration.objects.create(**{**fields, "status": "dropped"})  # history is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        EventRegistration.objects.create(**fields)


def test_the_database_refuses_a_second_active_booking_of_a_party_slot(org, family):
    fam, _kid = family
    package = catalog.party_package(org)
    slot = catalog.party_slot(org, PARTY_AT, packages=[package])
    fields = {
        "organization": org,
        "family": fam,
        "slot": slot,
        "package": package,
        "guest_count": 5,
        "guest_of_honour_name": "Maya",
        "created_at": timezone.now(),
    }
    PartyBooking.objects.create(**fields)
    PartyBooking.objects.create(**{**fields, "status": "dropped"})
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyBooking.objects.create(**fields)

"""A camp day and a party through checkout: registrations and a booking become active; the
party deposit is paid now and its balance is a charge due on the party date; eCheck pays."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Charge, ChargeKind
from springboard.booking import services as booking
from springboard.booking.models import EventRegistration, PartyBooking
from springboard.catalog.availability import (
    with_event_day_places_taken,
    with_party_slot_bookings,
)
from springboard.catalog.models import EventDay, PartySlot
from springboard.checkout import services
from springboard.checkout.models import OrderStatus
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
PARTY_AT = datetime(2027, 2, 6, 15, tzinfo=catalog.CHICAGO)


def echeck_token(org) -> str:
    fields = {"routing_number": "011000015", "account_number": "123456789"}
    return (
        SandboxGateway(org)
        .tokenise(kind="echeck", fields=fields, idempotency_key="", today=timezone.localdate())
        .token
    )


def test_a_camp_day_and_a_party_deposit_paid_by_echeck(org, family):
    fam, kid = family
    now = timezone.now()
    camp = catalog.event(org, days=[date(2027, 3, 15), date(2027, 3, 16)], capacity_per_day=3)
    day = camp.days.order_by("date").first()
    booking.add_event(family=fam, student=kid, event=camp, days=[day], now=now)
    package = catalog.party_package(org, price=Decimal("250.00"), deposit=Decimal("50.00"))
    slot = catalog.party_slot(org, PARTY_AT, packages=[package])
    choice = booking.PartyChoice(
        slot=slot, package=package, guest_count=8, add_ons={}, honour_student=kid
    )
    booking.add_party(family=fam, choice=choice, now=now)

    order = services.start_checkout(family=fam, user=None, now=now)
    assert order.total == Decimal("300.00")
    assert order.due_now == Decimal("100.00")  # the camp day and the deposit
    # The pending order keeps the camp day and the party slot.
    day_row = with_event_day_places_taken(
        EventDay.objects.filter(pk=day.pk), now=timezone.now()
    ).get()
    assert day_row.places_taken == 1
    assert (
        with_party_slot_bookings(PartySlot.objects.filter(pk=slot.pk), now=timezone.now())
        .get()
        .bookings
        == 1
    )

    request = services.PayRequest(attempt=1, token=echeck_token(org))
    services.pay(order=order, request=request, user=None, now=now)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.payment.amount == Decimal("100.00")
    assert EventRegistration.objects.filter(event_day=day, status="active").count() == 1
    assert PartyBooking.objects.filter(slot=slot, status="active").count() == 1
    balance = Charge.objects.get(kind=ChargeKind.PARTY, due_date=date(2027, 2, 6), amount=200)
    assert balances.charge_open_amount(balance) == Decimal("200.00")
    assert balances.balance(fam) == Decimal("200.00")
    # Confirmed: counted once, by the booking rows now.
    day_row = with_event_day_places_taken(
        EventDay.objects.filter(pk=day.pk), now=timezone.now()
    ).get()
    assert day_row.places_taken == 1
    assert (
        with_party_slot_bookings(PartySlot.objects.filter(pk=slot.pk), now=timezone.now())
        .get()
        .bookings
        == 1
    )


def test_a_second_start_reuses_the_open_order(org, family):
    fam, kid = family
    now = timezone.now()
    course = catalog.course(org, capacity=3, tuition="80.00")
    booking.add_course(family=fam, students=[kid], course=course, now=now)
    first = services.start_checkout(family=fam, user=None, now=now)
    assert services.start_checkout(family=fam, user=None, now=now) == first
    with pytest.raises(services.CheckoutError):
        services.pay(
            order=first,
            request=services.PayRequest(attempt=1, token="tok_not_ours"),
            user=None,
            now=now,
        )
    first.refresh_from_db()
    assert first.status == OrderStatus.PENDING

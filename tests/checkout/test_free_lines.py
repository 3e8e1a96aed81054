"""A free line (a class whose tuition is 0) is sold like any other but posts no charge: the
card is taken for what costs money and the order is confirmed, never refused after paying."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Allocation, Charge, Payment
from springboard.booking import services as booking
from springboard.booking.models import Enrollment
from springboard.catalog.models import PartyAddOn
from springboard.checkout import services
from springboard.checkout.models import FeeSchedule, OrderStatus
from tests.billing.factories import card_token
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
D = Decimal
PARTY_AT = datetime(2027, 2, 6, 15, tzinfo=catalog.CHICAGO)


def _pay(org, order, **fields):
    request = services.PayRequest(attempt=order.attempt, **fields)
    return services.pay(order=order, request=request, user=None, now=timezone.now())


def test_a_free_class_beside_a_paid_one_is_booked_and_posts_no_charge(org, family):
    fam, kid = family
    now = timezone.now()
    paid = catalog.course(org, name="Tumbling", capacity=3, tuition=D("80.00"))
    free = catalog.course(org, name="Free trial", capacity=3, tuition=D("0"))
    booking.add_course(family=fam, students=[kid], course=paid, now=now)
    booking.add_course(family=fam, students=[kid], course=free, now=now)
    order = services.start_checkout(family=fam, user=None, now=now)
    assert order.lines.filter(amount=0).count() == 1

    confirmed = _pay(org, order, token=card_token(org))

    assert confirmed.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(student=kid, status="active").count() == 2
    assert Charge.objects.count() == order.lines.exclude(amount=0).count()
    assert order.lines.get(amount=0).charge is None
    assert Payment.objects.get().amount == order.due_now
    assert balances.balance(fam) == order.due_later
    assert balances.credit(fam) == D("0.00")


def test_a_free_class_alone_needs_no_card_and_is_booked(org, family):
    fam, kid = family
    now = timezone.now()
    free = catalog.course(org, name="Free trial", capacity=3, tuition=D("0"))
    booking.add_course(family=fam, students=[kid], course=free, now=now)
    order = services.start_checkout(family=fam, user=None, now=now)
    assert order.due_now == D("0.00")

    confirmed = _pay(org, order)

    assert confirmed.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=free, status="active").count() == 1
    assert not Charge.objects.exists()
    assert not Payment.objects.exists()


def test_an_order_becomes_charges_and_the_payment_settles_what_is_due_now(org, family):
    """Moved from the pricing tests (the unused charging twin is gone): the real path is
    `confirm`. A monthly class, a free class and a party with a deposit and a fee."""
    fam, kid = family
    now = timezone.now()
    FeeSchedule.objects.create(organization=org, amount=D("25.00"))
    tumbling = catalog.course(org, name="Tumbling", capacity=3, tuition=D("100.00"))
    free = catalog.course(org, name="Free trial", capacity=3, tuition=D("0"))
    package = catalog.party_package(
        org, price=D("250.00"), deposit=D("50.00"), guests_included=10, max_guests=20
    )
    package.price_per_extra_guest = D("10.00")
    package.save()
    pizza = PartyAddOn.objects.create(package=package, name="Pizza", price=D("15.00"))
    slot = catalog.party_slot(org, PARTY_AT, packages=[package])
    booking.add_course(family=fam, students=[kid], course=tumbling, now=now)
    booking.add_course(family=fam, students=[kid], course=free, now=now)
    choice = booking.PartyChoice(
        slot=slot, package=package, guest_count=12, add_ons={pizza: 1}, honour_student=kid
    )
    booking.add_party(family=fam, choice=choice, now=now)
    order = services.start_checkout(family=fam, user=None, now=now)

    _pay(org, order, token=card_token(org))

    lines = list(order.lines.order_by("position"))
    charged = [line for line in lines if line.charge_id]
    assert len(charged) == len(lines) - 1  # the free class posts nothing
    assert Charge.objects.count() == len(charged)
    assert balances.balance(fam) == order.due_later
    assert balances.credit(fam) == D("0.00")
    tuition = next(line for line in charged if line.kind == "tuition")
    assert tuition.charge.subject.course == tumbling  # the charge is for the enrollment
    assert tuition.charge.computation == tuition.computation
    due_now = [line for line in charged if line.due_date <= order.priced_on]
    assert Allocation.objects.filter(charge__in=[line.charge for line in due_now]).count() == len(
        due_now
    )

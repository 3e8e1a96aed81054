"""Deposits and balances due: a party's (or a camp's) deposit is due at checkout and the rest
the organization's N days before it; autopay collects the rest on that day."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import autopay, balances
from springboard.billing.autopay_models import AttemptStatus, AutopayAttempt, BillingSettings
from springboard.billing.models import Charge, ChargeKind
from springboard.billing.payment_methods import save_payment_method
from springboard.booking import services as booking
from springboard.checkout import services as checkout
from springboard.checkout.pricing import EventItem, PartyItem, quote
from tests import family_factories
from tests.billing.factories import card_token
from tests.booking.conftest import KID_BIRTH_DATE
from tests.catalog import factories as catalog
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db
PARTY_DAY = datetime(2027, 3, 13, 14, tzinfo=catalog.CHICAGO)


@pytest.fixture
def family(org):
    family = family_factories.family(org)
    family.kid = family_factories.student(family, first_name="Maya", birth_date=KID_BIRTH_DATE)
    return family


def _party(org):
    package = catalog.party_package(org, price=D("250.00"), deposit=D("100.00"), max_guests=20)
    return package, catalog.party_slot(org, PARTY_DAY, [package])


def _quote(org, family, items, today):
    return quote(items, organization=org, family=family, today=today, now=at(2027, 2, 1))


def test_the_rest_of_a_party_is_due_the_organization_s_days_before_it(org, family):
    BillingSettings.objects.create(organization=org, balance_due_days=7)
    package, slot = _party(org)
    deposit, rest = _quote(org, family, [PartyItem(package, slot, 8)], date(2027, 2, 1)).lines
    assert (deposit.amount, deposit.due_date) == (D("100.00"), date(2027, 2, 1))
    assert (rest.amount, rest.due_date) == (D("150.00"), date(2027, 3, 6))
    assert "due on Sat 6 Mar 2027" in rest.computation


def test_a_party_within_those_days_is_paid_in_full_at_checkout(org, family):
    BillingSettings.objects.create(organization=org, balance_due_days=7)
    package, slot = _party(org)
    result = _quote(org, family, [PartyItem(package, slot, 8)], date(2027, 3, 10))
    assert [line.due_date for line in result.lines] == [date(2027, 3, 10)] * 2
    assert result.due_now == D("250.00")


def test_by_default_the_rest_is_due_on_the_party_date(org, family):
    package, slot = _party(org)
    _deposit, rest = _quote(org, family, [PartyItem(package, slot, 8)], date(2027, 2, 1)).lines
    assert rest.due_date == date(2027, 3, 13)


def test_a_camp_may_take_a_deposit_the_same_way(org, family):
    BillingSettings.objects.create(organization=org, balance_due_days=14)
    camp = catalog.event(
        org,
        days=(date(2027, 6, 14), date(2027, 6, 15)),
        price_per_day=D("60.00"),
        deposit=D("25.00"),
    )
    days = tuple(camp.days.all())
    result = _quote(org, family, [EventItem(camp, family.kid, days=days)], date(2027, 5, 1))
    deposit, rest = result.lines
    assert (deposit.amount, deposit.due_date) == (D("25.00"), date(2027, 5, 1))
    assert (rest.amount, rest.due_date) == (D("95.00"), date(2027, 5, 31))
    assert deposit.description.endswith("— deposit") and rest.description.endswith("— balance")
    assert "$120.00 in all, less the deposit $25.00; due on Mon 31 May 2027" in rest.computation
    assert result.total == D("120.00") and result.due_now == D("25.00")
    whole = catalog.event(org, price_whole_event=D("200.00"), deposit=D("50.00"))
    lines = _quote(org, family, [EventItem(whole, family.kid, whole_event=True)], date(2027, 2, 1))
    assert [line.amount for line in lines.lines] == [D("50.00"), D("150.00")]
    no_deposit = catalog.event(org)
    one = _quote(
        org,
        family,
        [EventItem(no_deposit, family.kid, days=tuple(no_deposit.days.all()))],
        date(2027, 2, 1),
    )
    assert len(one.lines) == 1


def test_autopay_collects_the_rest_on_its_due_date(org, family):
    """Booked through checkout with the deposit paid; the rest stays outstanding (upcoming on
    Payments) until autopay takes it on its due date, seven days before the party."""
    BillingSettings.objects.create(organization=org, balance_due_days=7)
    package, slot = _party(org)
    with time_machine.travel(at(2027, 2, 1), tick=False):
        now = timezone.now()
        choice = booking.PartyChoice(
            slot=slot, package=package, guest_count=8, add_ons={}, honour_student=family.kid
        )
        booking.add_party(family=family, choice=choice, now=now)
        order = checkout.start_checkout(family=family, user=None, now=now)
        token = card_token(org)
        checkout.pay(
            order=order, request=checkout.PayRequest(attempt=1, token=token), user=None, now=now
        )
        save_payment_method(
            organization=org, family=family, token=token, make_default=True, autopay=True
        )
    rest = Charge.objects.get(kind=ChargeKind.PARTY, due_date=date(2027, 3, 6))
    assert balances.charge_open_amount(rest) == D("150.00")
    assert autopay.status_for(family, today=date(2027, 2, 2)).upcoming == [rest]
    with time_machine.travel(at(2027, 3, 5), tick=False):
        assert autopay.collect(org, now=timezone.now()) == []
    with time_machine.travel(at(2027, 3, 6), tick=False):
        autopay.collect(org, now=timezone.now())
    assert balances.charge_open_amount(rest) == D("0.00")
    assert AutopayAttempt.objects.get(charge=rest).status == AttemptStatus.APPROVED

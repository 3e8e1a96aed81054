"""Camps and parties cancelled from My Account under the organization's rule: full, partial
or no refund by days before the start, to the card or to credit; the days or the slot open
again; a second click changes nothing; another family's booking is a 404."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Refund
from springboard.booking import services as booking
from springboard.booking.drops import DropError
from springboard.booking.models import DropRules, EventRegistration, PartyBooking
from springboard.checkout import services as checkout
from springboard.tuition import cancellations
from tests.billing.factories import card_token
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db

BOOKED = at(2027, 2, 1)
CAMP = [date(2027, 3, 15), date(2027, 3, 16)]  # 100.00, paid in full


def _buy(family, add):
    with time_machine.travel(BOOKED, tick=False):
        now = timezone.now()
        add(now)
        order = checkout.start_checkout(family=family, user=None, now=now)
        request = checkout.PayRequest(attempt=order.attempt, token=card_token(family.organization))
        checkout.pay(order=order, request=request, user=None, now=now)


@pytest.fixture
def camp(org):
    family, kid = make_family(org)
    event = catalog.event(org, days=CAMP, capacity_per_day=1)
    _buy(
        family,
        lambda now: booking.add_event(
            family=family,
            student=kid,
            event=event,
            whole=False,
            days=list(event.days.all()),
            now=now,
        ),
    )
    return family, EventRegistration.objects.filter(student=kid).order_by("event_day__date")[0]


def _cancel(row, family, when):
    with time_machine.travel(when, tick=False):
        return cancellations.cancel(row, family=family, now=timezone.now())


@pytest.mark.parametrize(
    ("when", "to", "refunded", "credit"),
    [
        (at(2027, 2, 20), "payment", "100.00", "0.00"),  # 23 days ahead: full
        (at(2027, 3, 5), "payment", "50.00", "0.00"),  # 10 days: 50 %
        (at(2027, 3, 5), "credit", None, "50.00"),
        (at(2027, 3, 12), "payment", None, "0.00"),  # 3 days: nothing back
    ],
)
def test_the_cancellation_rule_decides_what_comes_back(org, camp, when, to, refunded, credit):
    family, registration = camp
    DropRules.objects.create(organization=org, cancel_refund_to=to)  # 14 / 7 days, 50 %
    plan, changed = _cancel(registration, family, when)
    assert changed and plan.paid_total == Decimal("100.00")
    assert not EventRegistration.objects.filter(student=registration.student, status="active")
    assert [r.amount for r in Refund.objects.all()] == ([Decimal(refunded)] if refunded else [])
    assert SandboxRefund.objects.count() == (1 if refunded else 0)
    assert balances.credit(family) == Decimal(credit)
    assert balances.balance(family) == Decimal("0.00")
    # A second click changes nothing.
    assert _cancel(registration, family, when) == (None, False)
    assert Refund.objects.count() == (1 if refunded else 0)
    # The days are open again.
    other, kid = make_family(org, last_name="Other")
    with time_machine.travel(when, tick=False):
        booking.add_event(
            family=other,
            student=kid,
            event=registration.event_day.event,
            days=[registration.event_day],
            now=timezone.now(),
        )


def test_once_started_it_cannot_be_cancelled_online(org, camp):
    family, registration = camp
    with pytest.raises(DropError, match="started"):
        _cancel(registration, family, datetime(2027, 3, 15, 10, tzinfo=catalog.CHICAGO))
    assert EventRegistration.objects.filter(status="active").count() == 2


def test_a_party_is_cancelled_and_its_slot_opens(org):
    family, kid = make_family(org)
    package = catalog.party_package(org, price=Decimal("250.00"), deposit=Decimal("50.00"))
    slot = catalog.party_slot(org, at(2027, 3, 20, hour=14), packages=[package])
    choice = booking.PartyChoice(
        slot=slot, package=package, guest_count=8, add_ons={}, honour_student=kid
    )
    _buy(family, lambda now: booking.add_party(family=family, choice=choice, now=now))
    party = PartyBooking.objects.get()
    DropRules.objects.create(organization=org, cancel_refund_to="payment")
    plan, changed = _cancel(party, family, at(2027, 2, 10))
    assert changed and plan.percent == 100 and plan.refund == Decimal("50.00")  # the deposit
    assert balances.balance(family) == Decimal("0.00")  # the balance is not owed any more
    assert PartyBooking.objects.get().status == "dropped"


def test_the_pages_show_the_rule_and_refuse_other_families(client, org, camp):
    family, registration = camp
    url = f"/{org.account_name}/account/camps/{registration.pk}/cancel/"
    with time_machine.travel(at(2027, 3, 5), tick=False):
        client.force_login(family.guardians.get().user)
        account = client.get(f"/{org.account_name}/account/").content.decode()
        assert url in account
        page = client.get(url).content.decode()
        assert "50% of what you paid ($50.00)" in page
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # a second click: nothing more
        assert Refund.objects.count() == 0  # the default: to credit
        assert balances.credit(family) == Decimal("50.00")
        stranger, _kid = make_family(org, last_name="Stranger")
        client.force_login(stranger.guardians.get().user)
        assert client.get(url).status_code == 404
        assert client.get(f"/{org.account_name}/account/parties/999999/cancel/").status_code == 404

"""On PostgreSQL: autopay's retry and the family paying the same charge by hand at the same
moment charge the card once. Without the claim on the charge both pass their "still owed"
check and both reach the gateway: the family is charged twice (the second payment ends up as
credit). With it, whichever claims second is refused before the gateway."""

import contextlib
import threading
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import autopay, claims, paying
from springboard.billing.autopay_models import AttemptStatus, AutopayAttempt
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Payment
from springboard.billing.payment_methods import save_payment_method
from tests.billing.concurrency_helpers import run_together
from tests.billing.factories import DECLINED_CARD, VISA, card_token, charge
from tests.booking.conftest import make_family
from tests.tuition.helpers import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class MeetAtTheGateway(SandboxGateway):
    """The sandbox, except that a charge waits (up to a second) for the other thread to
    reach the gateway too, so both payments are in flight at once when both get there."""

    barrier = threading.Barrier(2, timeout=1)

    def charge(self, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):  # the other was refused
            self.barrier.wait()
        return super().charge(**kwargs)


def _declined_once(org):
    """A charge due 1 February whose autopay card was declined; the family then made a
    working card its autopay card, so the retry on 3 February would succeed."""
    with time_machine.travel(at(2027, 1, 10), tick=False):
        family, _kid = make_family(org)
        owed = charge(family, "80.00", due_date=date(2027, 2, 1), now=timezone.now())
        save_payment_method(
            organization=org,
            family=family,
            token=card_token(org, DECLINED_CARD),
            make_default=True,
            autopay=True,
        )
    with time_machine.travel(at(2027, 2, 1), tick=False):
        autopay.collect(org, now=timezone.now())
    with time_machine.travel(at(2027, 2, 2), tick=False):
        save_payment_method(
            organization=org,
            family=family,
            token=card_token(org, VISA),
            make_default=True,
            autopay=True,
        )
    return family, owed


def _retry_and_hand_payment_at_once(org, family, owed):
    MeetAtTheGateway.barrier.reset()
    gateway = MeetAtTheGateway(org)
    seen = paying.payment_form_state(family)
    hand_token = card_token(org, VISA)

    def work(index):
        now = timezone.now()
        if index == 0:
            return autopay.collect(org, now=now, gateway=gateway)
        return paying.pay_charges(
            organization=org,
            family=family,
            charge_ids=[owed.pk],
            token=hand_token,
            seen_attempt=seen,
            now=now,
            gateway=gateway,
        )

    counter = iter(range(2))
    lock = threading.Lock()

    def next_work():
        with lock:
            index = next(counter)
        return work(index)

    with time_machine.travel(at(2027, 2, 3, hour=9), tick=True):
        return run_together(2, next_work)


def test_without_the_claim_a_retry_and_a_hand_payment_charge_twice(org, monkeypatch):
    family, owed = _declined_once(org)
    monkeypatch.setattr(claims, "check_unclaimed", lambda charge_ids, *, key, now: None)
    _retry_and_hand_payment_at_once(org, family, owed)
    approved = SandboxCharge.objects.filter(outcome="approved")
    assert approved.count() == 2  # the race: the family paid 80.00 twice
    assert Payment.objects.filter(status="succeeded").count() == 2


def test_a_retry_and_a_hand_payment_at_once_charge_once(org):
    family, owed = _declined_once(org)
    results = _retry_and_hand_payment_at_once(org, family, owed)
    assert SandboxCharge.objects.filter(outcome="approved").count() == 1
    assert Payment.objects.filter(status="succeeded").count() == 1
    refused = [r for r in results if isinstance(r, claims.ChargeBeingPaid)]
    retried = AutopayAttempt.objects.filter(number=2, status=AttemptStatus.APPROVED).exists()
    # Either the hand payment was refused ("being paid right now") and the retry paid, or
    # the hand payment claimed first and autopay left the charge for the next tick.
    assert len(refused) == 1 or not retried, results

"""Autopay: collected on the due date with the autopay card; a decline is told and retried on
the organization's schedule (+2, +5 days by default) until the last try; autopay off, a
removed card or an expired card make no gateway attempt."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.billing import autopay, balances
from springboard.billing.autopay_models import AttemptStatus, AutopayAttempt, BillingSettings
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Payment
from springboard.billing.payment_methods import (
    remove_payment_method,
    save_payment_method,
    set_autopay,
)
from springboard.core.housekeeping import jobs
from tests.billing.factories import DECLINED_CARD, VISA, card_token, charge
from tests.booking.conftest import make_family
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db
DUE = date(2027, 2, 1)


def _tick(year, month, day):
    with time_machine.travel(at(year, month, day, hour=6), tick=False):
        jobs()["billing.autopay"](timezone.now())


@pytest.fixture
def family(org):
    with time_machine.travel(at(2027, 1, 10), tick=False):
        family, _kid = make_family(org)
        family.tuition = charge(family, "80.00", due_date=DUE, now=timezone.now())
    return family


def _card(family, number=VISA, *, autopay_on=True, **fields):
    with time_machine.travel(at(2027, 1, 10), tick=False):
        return save_payment_method(
            organization=family.organization,
            family=family,
            token=card_token(family.organization, number, **fields),
            make_default=True,
            autopay=autopay_on,
        )


def _attempts(family):
    return list(AutopayAttempt.objects.filter(family=family).order_by("number"))


def test_autopay_pays_the_charge_on_its_due_date_once(
    org, family, django_capture_on_commit_callbacks
):
    _card(family)
    with django_capture_on_commit_callbacks(execute=True):
        _tick(2027, 1, 31)  # not due yet
        assert _attempts(family) == []
        _tick(2027, 2, 1)
        _tick(2027, 2, 1)
        _tick(2027, 2, 3)
    [attempt] = _attempts(family)
    assert attempt.status == AttemptStatus.APPROVED
    assert attempt.method_label.startswith("Visa ••••4242")
    assert balances.balance(family) == Decimal("0.00")
    assert SandboxCharge.objects.count() == 1
    assert [m.subject for m in mail.outbox] == ["Your payment to Acme Gymnastics"]


def test_a_decline_is_told_and_retried_then_a_new_card_pays(
    org, family, django_capture_on_commit_callbacks
):
    _card(family, DECLINED_CARD)
    with django_capture_on_commit_callbacks(execute=True):
        _tick(2027, 2, 1)
    [first] = _attempts(family)
    assert first.status == AttemptStatus.DECLINED
    [email] = mail.outbox
    assert "declined" in email.subject
    assert autopay.payments_url(org) in email.body
    assert autopay.payments_url(org).endswith("/acme/account/payments/")
    assert "We will try again on Feb. 3, 2027" in email.body
    _tick(2027, 2, 2)
    assert len(_attempts(family)) == 1  # the retry is on day +2
    _card(family, VISA)  # the family adds a working card for autopay
    with django_capture_on_commit_callbacks(execute=True):
        _tick(2027, 2, 3)
    assert [a.status for a in _attempts(family)] == [AttemptStatus.DECLINED, AttemptStatus.APPROVED]
    assert balances.balance(family) == Decimal("0.00")
    _tick(2027, 2, 6)
    assert len(_attempts(family)) == 2


def test_declined_to_the_end_stops_and_leaves_the_charge_outstanding(
    org, family, django_capture_on_commit_callbacks
):
    _card(family, DECLINED_CARD)
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 12):
            _tick(2027, 2, day)
    attempts = _attempts(family)
    assert [a.number for a in attempts] == [1, 2, 3]
    assert [a.tried_on(autopay.zoneinfo.ZoneInfo(org.time_zone)) for a in attempts] == [
        date(2027, 2, 1),
        date(2027, 2, 3),
        date(2027, 2, 6),
    ]
    assert all(a.status == AttemptStatus.DECLINED for a in attempts) and attempts[-1].is_last
    assert "We will not try again" in mail.outbox[-1].body
    assert len(mail.outbox) == 3
    assert balances.balance(family) == Decimal("80.00")
    status = autopay.status_for(family, today=date(2027, 2, 11))
    assert status.given_up == {family.tuition.pk}
    assert len(status.declines) == 3


def test_the_retry_schedule_is_the_organization_s(org, family):
    BillingSettings.objects.create(organization=org, retry_days="1")
    _card(family, DECLINED_CARD)
    for day in range(1, 6):
        _tick(2027, 2, day)
    assert [a.number for a in _attempts(family)] == [1, 2]
    assert _attempts(family)[-1].is_last


def test_autopay_off_or_a_removed_card_makes_no_attempt(org, family):
    method = _card(family, autopay_on=False)
    _tick(2027, 2, 1)
    assert _attempts(family) == []
    set_autopay(organization=org, family=family, method=method, autopay=True)
    assert autopay.status_for(family, today=date(2027, 1, 20)).method == method
    remove_payment_method(organization=org, family=family, method=method)
    _tick(2027, 2, 2)
    assert _attempts(family) == []
    assert SandboxCharge.objects.count() == 0
    assert not autopay.status_for(family, today=date(2027, 2, 2)).is_on
    assert balances.balance(family) == Decimal("80.00")


def test_an_expired_card_is_not_tried_and_the_family_is_told(
    org, family, django_capture_on_commit_callbacks
):
    _card(family, VISA, exp_month="01", exp_year="2027")  # works through January
    with django_capture_on_commit_callbacks(execute=True):
        _tick(2027, 2, 1)
    [attempt] = _attempts(family)
    assert attempt.status == AttemptStatus.SKIPPED
    assert SandboxCharge.objects.count() == 0
    assert "expired" in mail.outbox[0].subject
    assert "before Feb. 3, 2027" in mail.outbox[0].body
    _card(family, VISA)  # a new card before the retry: used then
    _tick(2027, 2, 3)
    assert _attempts(family)[-1].status == AttemptStatus.APPROVED


def test_a_charge_paid_by_hand_meanwhile_is_not_retried(org, family):
    _card(family, DECLINED_CARD)
    _tick(2027, 2, 1)
    from springboard.billing import paying

    with time_machine.travel(at(2027, 2, 2), tick=False):
        paying.pay_charges(
            organization=org,
            family=family,
            charge_ids=[family.tuition.pk],
            token=card_token(org, VISA),
            seen_attempt=paying.payment_form_state(family),
            now=timezone.now(),
        )
    _tick(2027, 2, 3)
    assert len(_attempts(family)) == 1
    assert Payment.objects.filter(status="succeeded").count() == 1


def test_the_upcoming_charges_and_the_card_autopay_will_use(org, family):
    _card(family, VISA, exp_month="01", exp_year="2027")
    status = autopay.status_for(family, today=date(2027, 1, 20))
    assert status.is_on and status.upcoming == [family.tuition]
    assert status.method_expires_before == DUE


def test_a_hand_payment_is_refused_while_autopay_is_paying_the_charge(org, family):
    """An attempt at the gateway holds a claim on the charge: the pay form says so (400) and
    takes nothing; once the claim is released the family can pay."""
    from springboard.billing import claims, paying

    with time_machine.travel(at(2027, 2, 1), tick=False):
        claims.claim(
            organization=org, charge_ids=[family.tuition.pk], key="autopay-x", now=timezone.now()
        )
        with pytest.raises(claims.ChargeBeingPaid):
            paying.pay_charges(
                organization=org,
                family=family,
                charge_ids=[family.tuition.pk],
                token=card_token(org, VISA),
                seen_attempt=paying.payment_form_state(family),
                now=timezone.now(),
            )
        assert SandboxCharge.objects.count() == 0
        claims.release(organization=org, key="autopay-x", now=timezone.now())
        paid = paying.pay_charges(
            organization=org,
            family=family,
            charge_ids=[family.tuition.pk],
            token=card_token(org, VISA),
            seen_attempt=paying.payment_form_state(family),
            now=timezone.now(),
        )
    assert paid.payment.amount == Decimal("80.00")

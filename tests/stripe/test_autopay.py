"""Autopay's own run (billing.autopay.collect) charging saved cards through localstripe:
off-session, with the family's Customer; a card whose bank insists on authenticating is
declined (nobody is there to do it) with nothing left half-taken at Stripe."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from springboard.billing import autopay, balances
from springboard.billing.autopay_models import AttemptStatus
from springboard.billing.payment_methods import save_payment_method
from tests.billing import factories as billing
from tests.stripe_server import NEEDS_AUTHENTICATION, VISA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _due_today(fam, amount):
    today = autopay.local_today(fam.organization, timezone.now())
    return billing.charge(fam, amount, due_date=today)


def test_the_autopay_run_charges_the_saved_card_off_session(stripe_org, family, stripe_settings):
    fam, _student = family
    saved = save_payment_method(
        organization=stripe_org, family=fam, token=stripe_settings.card(VISA), autopay=True
    )
    charge = _due_today(fam, "75.00")
    (attempt,) = autopay.collect(stripe_org, now=timezone.now())
    assert attempt.status == AttemptStatus.APPROVED
    assert balances.charge_open_amount(charge) == 0
    intent = stripe_settings.client().v1.payment_intents.retrieve(attempt.payment.gateway_reference)
    customer = stripe_settings.client().v1.payment_methods.retrieve(saved.token).customer
    assert (intent.status, intent.amount, intent.customer) == ("succeeded", 7500, customer)
    assert autopay.collect(stripe_org, now=timezone.now()) == []  # paid: never again


def test_a_saved_card_whose_bank_insists_is_declined_by_autopay(
    stripe_org, family, stripe_settings, django_capture_on_commit_callbacks
):
    fam, _student = family
    save_payment_method(
        organization=stripe_org,
        family=fam,
        token=stripe_settings.card(NEEDS_AUTHENTICATION),
        autopay=True,
    )
    charge = _due_today(fam, "75.00")
    with django_capture_on_commit_callbacks(execute=True):
        (attempt,) = autopay.collect(stripe_org, now=timezone.now())
    assert attempt.status == AttemptStatus.DECLINED
    assert "Your bank asks you to confirm this payment" in attempt.message
    assert balances.charge_open_amount(charge) == Decimal("75.00")
    intents = stripe_settings.intents_for("payment:" + autopay.attempt_key(charge, 1))
    # Stripe's test mode declines it (authentication_required); localstripe asks anyway and
    # the adapter cancels: either way nothing is taken or left waiting.
    assert all(i.status in ("canceled", "requires_payment_method") for i in intents)
    assert [m.to for m in mail.outbox] == [[fam.email]]  # the family is told to pay by hand

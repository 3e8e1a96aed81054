"""On PostgreSQL (real row locks): concurrent requests of one family queue on the family
lock, so credit is spent once and one idempotency key pays once."""

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import InvalidAmount
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Allocation, Payment
from tests import factories, family_factories
from tests.billing import factories as billing
from tests.billing.concurrency_helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_credit_check(monkeypatch):
    """Widen the window between reading which payments hold credit and spending it, so the
    race is certain rather than lucky."""
    real = balances.payments_with_credit

    def slow(family):
        rows = list(real(family))
        time.sleep(0.3)
        return rows

    monkeypatch.setattr(balances, "payments_with_credit", slow)


def test_without_the_family_lock_credit_is_spent_twice(monkeypatch, slow_credit_check):
    """The race is real: with the lock taken out, both requests see $50 of credit."""
    monkeypatch.setattr(services, "lock_family", lambda organization, family: family)
    org = factories.organization()
    family = family_factories.family(org)
    billing.credit(family, "50.00")
    charge = billing.charge(family, "100.00")

    def apply():
        return services.apply_credit(
            organization=org, family=family, charge=charge, amount="50.00", now=timezone.now()
        )

    results = run_together(2, apply)
    assert all(isinstance(r, list) for r in results), results
    assert balances.family_totals(family).credit == Decimal("-50.00")


def test_two_concurrent_credit_applications_apply_once(slow_credit_check):
    org = factories.organization()
    family = family_factories.family(org)
    billing.credit(family, "50.00")
    charge = billing.charge(family, "100.00")

    def apply():
        return services.apply_credit(
            organization=org, family=family, charge=charge, amount="50.00", now=timezone.now()
        )

    results = run_together(2, apply)
    assert sum(isinstance(r, list) for r in results) == 1, results
    assert sum(isinstance(r, InvalidAmount) for r in results) == 1, results
    assert Allocation.objects.count() == 1
    assert balances.family_totals(family).credit == Decimal("0.00")
    assert balances.balance(family) == Decimal("50.00")


def test_twenty_concurrent_identical_payments_pay_once():
    org = factories.organization()
    family = family_factories.family(org)
    token = billing.card_token(org)

    def pay():
        return services.record_payment(
            organization=org,
            family=family,
            amount="75.00",
            token=token,
            idempotency_key="order-42-attempt-1",
            now=timezone.now(),
        )

    results = run_together(20, pay)
    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert balances.credit(family) == Decimal("75.00")

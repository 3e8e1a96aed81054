"""The ledger services: posting, paying, allocating, crediting, voiding, refunding."""

from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import (
    AlreadyVoided,
    IdempotencyKeyReused,
    InvalidAmount,
    LedgerError,
    PaymentDeclined,
    WrongFamily,
)
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Allocation, Charge, Payment, PaymentStatus, PostedRowError
from tests import family_factories
from tests.billing import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def family(org):
    return family_factories.family(org)


def test_a_charge_raises_the_balance_and_a_payment_allocated_to_it_settles_it(org, family):
    charge = factories.charge(family, "80.00")
    assert balances.balance(family) == D("80.00")
    payment = factories.payment(family, "100.00")
    assert balances.credit(family) == D("100.00")
    services.allocate(
        organization=org, payment=payment, charge=charge, amount="80.00", now=timezone.now()
    )
    assert balances.balance(family) == D("0.00")
    assert balances.credit(family) == D("20.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("10.005", "two decimals"),
        ("abc", "Enter an amount"),
        ("NaN", "Enter an amount"),
        (None, "Enter an amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(family, amount, message):
    with pytest.raises(InvalidAmount, match=message):
        factories.charge(family, amount) if amount is not None else services.post_charge(
            organization=family.organization,
            family=family,
            amount=None,
            description="x",
            kind="fee",
            due_date=timezone.localdate(),
            now=timezone.now(),
        )
    assert not Charge.objects.exists()


def test_allocating_more_than_is_owed_or_more_than_the_payment_is_refused(org, family):
    charge = factories.charge(family, "50.00")
    payment = factories.payment(family, "30.00")
    now = timezone.now()
    with pytest.raises(InvalidAmount, match="more than is owed"):
        services.allocate(organization=org, payment=payment, charge=charge, amount="60", now=now)
    with pytest.raises(InvalidAmount, match="more than is left"):
        services.allocate(organization=org, payment=payment, charge=charge, amount="40", now=now)
    assert not Allocation.objects.exists()


def test_apply_credit_in_full_and_in_part_oldest_payments_first(org, family):
    first = factories.credit(family, "30.00")
    second = factories.credit(family, "50.00")
    charge = factories.charge(family, "100.00")
    now = timezone.now()
    part = services.apply_credit(
        organization=org, family=family, charge=charge, amount="40.00", now=now
    )
    assert [(a.payment_id, a.amount) for a in part] == [
        (first.pk, D("30.00")),
        (second.pk, D("10.00")),
    ]
    assert balances.charge_open_amount(charge) == D("60.00")
    assert balances.credit(family) == D("40.00")
    services.apply_credit(organization=org, family=family, charge=charge, amount="40", now=now)
    assert balances.credit(family) == D("0.00")
    assert balances.balance(family) == D("20.00")


def test_apply_credit_refuses_more_than_the_credit_or_the_charge(org, family):
    factories.credit(family, "30.00")
    charge = factories.charge(family, "20.00")
    now = timezone.now()
    with pytest.raises(InvalidAmount, match="more than is owed"):
        services.apply_credit(organization=org, family=family, charge=charge, amount="25", now=now)
    big = factories.charge(family, "100.00")
    with pytest.raises(InvalidAmount, match="more than your credit"):
        services.apply_credit(organization=org, family=family, charge=big, amount="31", now=now)
    assert not Allocation.objects.exists()


def test_another_familys_charge_or_organizations_family_is_refused(org, other_org, family):
    other = family_factories.family(org, last_name="Chen")
    rival = family_factories.family(other_org)
    factories.credit(family, "30.00")
    charge = factories.charge(other, "20.00")
    now = timezone.now()
    with pytest.raises(WrongFamily):
        services.apply_credit(organization=org, family=family, charge=charge, amount="5", now=now)
    with pytest.raises(WrongFamily):
        services.post_charge(
            organization=org,
            family=rival,
            amount="5",
            description="x",
            kind="fee",
            due_date=timezone.localdate(),
            now=now,
        )


def test_a_void_frees_the_allocation_into_credit_which_can_then_be_refunded(org, family):
    charge = factories.charge(family, "80.00")
    payment = factories.payment(family, "80.00")
    now = timezone.now()
    services.allocate(organization=org, payment=payment, charge=charge, amount="80", now=now)
    with pytest.raises(InvalidAmount, match="void the charges"):
        services.refund(
            organization=org,
            payment=payment,
            amount="80",
            reason="Class cancelled",
            idempotency_key="r1",
            now=now,
            actor=None,
        )
    services.void_charge(
        organization=org, charge=charge, reason="Class cancelled", now=now, actor=None
    )
    assert balances.balance(family) == D("0.00")
    assert balances.credit(family) == D("80.00")
    with pytest.raises(AlreadyVoided):
        services.void_charge(organization=org, charge=charge, reason="again", now=now, actor=None)
    refund = services.refund(
        organization=org,
        payment=payment,
        amount="80",
        reason="Class cancelled",
        idempotency_key="r2",
        now=now,
        actor=None,
    )
    assert refund.outcome.gateway_reference.startswith("re_sandbox_")
    assert balances.credit(family) == D("0.00")
    again = services.refund(
        organization=org,
        payment=payment,
        amount="80",
        reason="Class cancelled",
        idempotency_key="r2",
        now=now,
        actor=None,
    )
    assert again.pk == refund.pk


def test_one_idempotency_key_pays_once(org, family):
    first = factories.payment(family, "40.00", key="order-1-attempt-1")
    second = factories.payment(family, "40.00", key="order-1-attempt-1")
    assert first.pk == second.pk
    assert Payment.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        factories.payment(family, "41.00", key="order-1-attempt-1")


def test_a_declined_card_is_recorded_and_the_same_key_gives_the_same_answer(org, family):
    with pytest.raises(PaymentDeclined, match="declined") as declined:
        factories.payment(family, "40.00", number=factories.DECLINED_CARD, key="k1")
    assert declined.value.payment.status == PaymentStatus.DECLINED
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        factories.payment(family, "40.00", number=factories.INSUFFICIENT_FUNDS_CARD, key="k2")
    with pytest.raises(PaymentDeclined):
        factories.payment(family, "40.00", key="k1")  # a good card, but the key was used
    assert balances.credit(family) == D("0.00")
    factories.payment(family, "40.00", key="k3")
    assert balances.credit(family) == D("40.00")


def test_what_the_caller_read_under_the_key_is_answered_without_reading_it_again(
    org, family, django_assert_num_queries
):
    token = factories.card_token(org)
    pay = partial(
        services.record_payment,
        organization=org,
        family=family,
        amount=D("40.00"),
        token=token,
        now=timezone.now(),
    )
    first = pay(idempotency_key="order-1-attempt-1")
    with django_assert_num_queries(0):  # the caller's row: replayed, nothing asked
        assert pay(idempotency_key="order-1-attempt-1", known_under_key=first).pk == first.pk
    # The caller read nothing under the key before this payment was recorded: the gateway's
    # key gives the same charge and the unique key the same payment.
    assert pay(idempotency_key="order-1-attempt-1", known_under_key=None).pk == first.pk
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    with pytest.raises(ValueError):  # another key's payment is never this key's answer
        pay(idempotency_key="order-1-attempt-2", known_under_key=first)
    assert Payment.objects.count() == 1


def test_an_unknown_token_is_refused(org, family):
    with pytest.raises(LedgerError, match="not known"):
        services.record_payment(
            organization=org,
            family=family,
            amount="10",
            token="tok_forged",
            idempotency_key="x",
            now=timezone.now(),
        )


def test_posted_rows_cannot_be_edited_or_deleted(family):
    charge = factories.charge(family, "10.00")
    charge.amount = D("1.00")
    with pytest.raises(PostedRowError):
        charge.save()
    with pytest.raises(PostedRowError):
        charge.delete()
    with pytest.raises(PostedRowError):
        Charge.objects.filter(pk=charge.pk).update(amount=D("1.00"))
    with pytest.raises(PostedRowError):
        Charge.objects.all().delete()
    assert Charge.objects.get().amount == D("10.00")


def test_outstanding_charges_show_what_is_open(org, family):
    paid = factories.charge(family, "10.00")
    half = factories.charge(family, "20.00")
    voided = factories.charge(family, "30.00")
    payment = factories.credit(family, "20.00")
    now = timezone.now()
    services.allocate(organization=org, payment=payment, charge=paid, amount="10", now=now)
    services.allocate(organization=org, payment=payment, charge=half, amount="10", now=now)
    services.void_charge(organization=org, charge=voided, reason="x", now=now, actor=None)
    open_rows = [(c.pk, c.open_amount) for c in balances.outstanding_charges(family)]
    assert open_rows == [(half.pk, D("10.00"))]


def test_a_charge_paid_in_parts_is_not_outstanding_by_a_rounding_error(org, family):
    # 0.30 - 0.10 - 0.20 is 5.5e-17 in binary floating point, which SQLite uses for decimals.
    charge = factories.charge(family, "0.30")
    payment = factories.credit(family, "0.30")
    now = timezone.now()
    for part in ("0.10", "0.20"):
        services.allocate(organization=org, payment=payment, charge=charge, amount=part, now=now)
    assert list(balances.outstanding_charges(family)) == []
    assert list(balances.payments_with_credit(family)) == []
    assert balances.balance(family) == D("0.00")


@pytest.mark.parametrize("key", ["", "x" * 101])
def test_a_missing_or_overlong_idempotency_key_is_refused(org, family, key):
    payment = factories.credit(family, "10.00")
    with pytest.raises(LedgerError, match="expired"):
        services.refund(
            organization=org,
            payment=payment,
            amount="5",
            reason="x",
            idempotency_key=key,
            now=timezone.now(),
            actor=None,
        )
    with pytest.raises(LedgerError, match="expired"):
        factories.payment(family, "5.00", key=key or None) if key else services.record_payment(
            organization=org,
            family=family,
            amount="5",
            token="tok",
            idempotency_key="",
            now=timezone.now(),
        )

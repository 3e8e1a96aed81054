"""The sandbox gateway behaves like a real processor: test numbers, Luhn, expiry, ABA
routing checksum, and one idempotency key never charging twice."""

from datetime import date
from decimal import Decimal

import pytest

from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Outcome, TokeniseError
from springboard.billing.gateways.sandbox.gateway import (
    SandboxGateway,
    aba_routing_ok,
    luhn_ok,
)
from springboard.billing.gateways.sandbox.models import SandboxCharge

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def card(gateway, number, **fields):
    fields = {"number": number, "exp_month": "12", "exp_year": "29", "cvc": "123", **fields}
    return gateway.tokenise(kind="card", fields=fields, idempotency_key="", today=TODAY)


def pay(gateway, token, key="k", amount="10.00"):
    return gateway.charge(
        token=token, amount=Decimal(amount), currency="USD", idempotency_key=key, description=""
    )


@pytest.fixture
def gateway(org):
    return SandboxGateway(org)


def test_the_setting_selects_the_sandbox_by_default(org):
    assert isinstance(get_gateway(org), SandboxGateway)


@pytest.mark.parametrize(
    ("number", "outcome", "words"),
    [
        ("4242 4242 4242 4242", Outcome.APPROVED, ""),
        ("4000 0000 0000 0002", Outcome.DECLINED, "declined"),
        ("4000-0000-0000-9995", Outcome.INSUFFICIENT_FUNDS, "insufficient funds"),
        ("5555 5555 5555 4444", Outcome.APPROVED, ""),
    ],
)
def test_test_card_numbers(gateway, number, outcome, words):
    method = card(gateway, number)
    assert method.token.startswith("tok_sandbox_")
    assert method.last4 == number[-4:]
    result = pay(gateway, method.token)
    assert result.outcome == outcome
    assert words in result.message
    assert result.reference.startswith("ch_sandbox_")


def test_brand_and_expiry_are_all_we_learn(gateway):
    method = card(gateway, "4242424242424242", exp_month="4", exp_year="2031")
    assert (method.kind, method.brand, method.last4) == ("card", "Visa", "4242")
    assert (method.exp_month, method.exp_year) == (4, 2031)
    assert gateway.describe(method.token) == method


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"number": "4242 4242 4242 4241"}, "number", "card number"),
        ({"number": "4242"}, "number", "card number"),
        ({"number": "abcd efgh"}, "number", "card number"),
        ({"exp_month": "10", "exp_year": "26"}, "expiry", "expired"),
        ({"exp_month": "13"}, "expiry", "month and year"),
        ({"exp_year": ""}, "expiry", "month and year"),
        ({"cvc": "12"}, "cvc", "security code"),
    ],
)
def test_bad_card_details_are_refused_per_field(gateway, fields, field, words):
    with pytest.raises(TokeniseError) as refused:
        card(gateway, fields.pop("number", "4242424242424242"), **fields)
    assert words in refused.value.errors[field]


def test_this_month_is_not_expired_yet(gateway):
    assert card(gateway, "4242424242424242", exp_month="11", exp_year="26").token


def test_luhn_and_aba_checksums():
    assert luhn_ok("4242424242424242")
    assert not luhn_ok("4242424242424243")
    assert aba_routing_ok("110000000")
    assert aba_routing_ok("011000015")
    assert not aba_routing_ok("110000001")
    assert not aba_routing_ok("12345678")


def test_echeck_routing_checksum_and_the_failing_test_account(gateway):
    good = gateway.tokenise(
        kind="echeck",
        fields={"routing_number": "110000000", "account_number": "000123456789"},
        idempotency_key="",
        today=TODAY,
    )
    assert (good.kind, good.last4) == ("echeck", "6789")
    assert pay(gateway, good.token, key="a").succeeded
    failing = gateway.tokenise(
        kind="echeck",
        fields={"routing_number": "110000000", "account_number": "000111111116"},
        idempotency_key="",
        today=TODAY,
    )
    result = pay(gateway, failing.token, key="b")
    assert not result.succeeded
    assert "bank" in result.message
    with pytest.raises(TokeniseError) as refused:
        gateway.tokenise(
            kind="echeck",
            fields={"routing_number": "110000001", "account_number": "12"},
            idempotency_key="",
            today=TODAY,
        )
    assert set(refused.value.errors) == {"routing_number", "account_number"}


def test_one_idempotency_key_never_charges_twice(gateway):
    token = card(gateway, "4242424242424242").token
    first = pay(gateway, token, key="order-7")
    second = pay(gateway, token, key="order-7")
    assert first == second
    assert SandboxCharge.objects.count() == 1
    other = pay(gateway, token, key="order-7", amount="11.00")
    assert other.outcome == Outcome.ERROR


def test_a_token_of_another_merchant_is_unknown(gateway, other_org):
    token = card(gateway, "4242424242424242").token
    rival = SandboxGateway(other_org)
    assert rival.describe(token) is None
    assert not pay(rival, token).succeeded


def test_refunds_never_exceed_the_charge_and_are_idempotent(gateway):
    token = card(gateway, "4242424242424242").token
    charged = pay(gateway, token, amount="30.00")
    refund = gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("20"),
        currency="USD",
        idempotency_key="r",
    )
    again = gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("20"),
        currency="USD",
        idempotency_key="r",
    )
    assert refund == again and refund.succeeded
    too_much = gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("11"),
        currency="USD",
        idempotency_key="s",
    )
    assert not too_much.succeeded

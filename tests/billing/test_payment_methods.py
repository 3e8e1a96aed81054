"""Saved cards and bank accounts: only what the gateway says a token stands for is kept."""

import pytest

from springboard.billing.errors import LedgerError, WrongFamily
from springboard.billing.payment_methods import (
    remove_payment_method,
    save_payment_method,
    set_autopay,
    set_default,
)
from tests import family_factories
from tests.billing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


def test_the_first_method_is_the_default_and_a_later_one_can_take_over(org, family):
    visa = save_payment_method(organization=org, family=family, token=factories.card_token(org))
    assert (visa.brand, visa.last4, visa.exp_year, visa.is_default) == ("Visa", "4242", 2099, True)
    assert visa.label == "Visa ••••4242 12/99"
    master = save_payment_method(
        organization=org, family=family, token=factories.card_token(org, "5555555555554444")
    )
    assert not master.is_default
    set_default(organization=org, family=family, method=master)
    assert list(family.payment_methods.filter(is_default=True)) == [master]
    set_autopay(organization=org, family=family, method=master, autopay=True)
    master.refresh_from_db()
    assert master.autopay
    remove_payment_method(organization=org, family=family, method=master)
    visa.refresh_from_db()
    assert visa.is_default


def test_saving_the_same_token_twice_keeps_one(org, family):
    token = factories.card_token(org)
    save_payment_method(organization=org, family=family, token=token)
    save_payment_method(organization=org, family=family, token=token)
    assert family.payment_methods.count() == 1


def test_forged_or_other_merchants_tokens_and_other_families_methods_are_refused(
    org, other_org, family
):
    with pytest.raises(LedgerError, match="not known"):
        save_payment_method(organization=org, family=family, token="tok_forged")
    with pytest.raises(LedgerError, match="not known"):
        save_payment_method(organization=org, family=family, token=factories.card_token(other_org))
    other = family_factories.family(org, last_name="Chen")
    method = save_payment_method(organization=org, family=other, token=factories.card_token(org))
    with pytest.raises(WrongFamily):
        remove_payment_method(organization=org, family=family, method=method)

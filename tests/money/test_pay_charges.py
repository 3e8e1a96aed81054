"""Paying outstanding charges is one billing service (billing.paying.pay_charges): one
idempotency key for the form, and a payment that could not be applied says it is credit."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Payment
from springboard.portal.views.payments import NONCES_KEY
from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family.guardians.get().user)
    return client


def _form(client, charges, **data) -> dict:
    client.get("/acme/account/payments/")
    return {"nonce": client.session[NONCES_KEY][-1], "charge": [c.pk for c in charges], **data}


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_payment_for_a_charge_paid_meanwhile_says_plainly_it_stays_as_credit(
    logged_in, family, org, monkeypatch
):
    charge = billing.charge(family, "40.00", description="Swim tuition")
    billing.credit(family, "40.00")
    charge_at_gateway = SandboxGateway.charge

    def other_tab_pays_first(self, **kwargs):
        services.apply_credit(
            organization=org, family=family, charge=charge, amount="40.00", now=timezone.now()
        )
        return charge_at_gateway(self, **kwargs)

    data = _form(logged_in, [charge], payment_token=billing.card_token(org))
    monkeypatch.setattr(SandboxGateway, "charge", other_tab_pays_first)
    response = logged_in.post("/acme/account/payments/pay/", data)
    assert response.status_code == 302
    said = _messages(response)
    assert "$40.00" in said
    assert "could not be applied" in said
    assert "stays on your account as credit" in said
    assert "Thank you" not in said
    assert balances.credit(family) == Decimal("40.00")  # the card's money, kept as credit


def test_the_same_charges_paid_from_two_pages_one_after_the_other_pay_once(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    first = _form(logged_in, [charge], payment_token=billing.card_token(org))
    second = _form(logged_in, [charge], payment_token=billing.card_token(org))
    assert logged_in.post("/acme/account/payments/pay/", first).status_code == 302
    response = logged_in.post("/acme/account/payments/pay/", second)
    assert response.status_code == 302
    assert "received" in _messages(response)
    assert Payment.objects.count() == 1
    assert balances.balance(family) == Decimal("0.00")

"""On PostgreSQL: two concurrent credit applications through the Payments page apply once,
and a pay form submitted twice at the same moment charges once."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Allocation, Payment
from springboard.billing.payment_methods import save_payment_method
from springboard.portal.views.payments import NONCES_KEY
from tests import factories, family_factories
from tests.billing import factories as billing
from tests.billing.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family():
    org = factories.organization("acme", name="Acme Gymnastics")
    factories.location(org, name="Main")
    return family_factories.family(org)


def _clients(family, count: int) -> list[Client]:
    first = Client()
    first.force_login(family.guardians.get().user)
    clients = [first]
    for _ in range(count - 1):
        other = Client()
        other.cookies = first.cookies  # the same session: one family, two tabs
        clients.append(other)
    return clients


def test_two_concurrent_credit_applications_apply_once(family):
    billing.credit(family, "50.00")
    charge = billing.charge(family, "100.00")
    clients = _clients(family, 2)
    url = "/acme/account/payments/apply-credit/"
    data = {"charge": charge.pk, "amount": "50.00"}
    calls = iter(clients)
    results = run_together(2, lambda: next(calls).post(url, data).status_code)
    assert sorted(results) == [302, 400], results
    assert balances.credit(family) == Decimal("0.00")
    assert Allocation.objects.aggregate(total=Sum("amount"))["total"] == Decimal("50.00")


def test_a_pay_form_submitted_twice_at_once_charges_once(family):
    org = family.organization
    charge = billing.charge(family, "40.00")
    clients = _clients(family, 2)
    clients[0].get("/acme/account/payments/")
    nonce = clients[0].session[NONCES_KEY][-1]
    data = {"nonce": nonce, "charge": [charge.pk], "payment_token": billing.card_token(org)}
    calls = iter(clients)
    results = run_together(
        2, lambda: next(calls).post("/acme/account/payments/pay/", data).status_code
    )
    assert results == [302, 302], results
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert balances.balance(family) == Decimal("0.00")


@pytest.fixture
def gateway_waits_for_both(monkeypatch):
    """Both requests reach the gateway before either is answered: the moment two tabs race."""
    barrier = threading.Barrier(2)
    charge = SandboxGateway.charge

    def slow_charge(self, **kwargs):
        # Broken: only one request got this far (the other was answered before the gateway).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", slow_charge)


@pytest.mark.parametrize("card", ["saved", "typed"])
def test_two_tabs_paying_the_same_charge_at_once_take_the_money_once(
    family, gateway_waits_for_both, card
):
    org = family.organization
    charge = billing.charge(family, "40.00")
    saved = save_payment_method(organization=org, family=family, token=billing.card_token(org))
    clients = _clients(family, 2)
    forms = []
    for client in clients:  # each tab renders its own Payments page (its own form)
        client.get("/acme/account/payments/")
        pay_with = (
            {"saved_method": saved.pk}
            if card == "saved"
            else {"payment_token": billing.card_token(org)}  # each tab types the card
        )
        forms.append({"nonce": client.session[NONCES_KEY][-1], "charge": [charge.pk], **pay_with})
    calls = iter(zip(clients, forms, strict=True))

    def submit():
        client, data = next(calls)
        response = client.post("/acme/account/payments/pay/", data)
        return response.status_code, response.content.decode()

    results = run_together(2, submit)
    assert SandboxCharge.objects.count() == 1
    assert Payment.objects.count() == 1
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("0.00")
    for status, content in results:
        # Either "received", or (a card typed in both tabs, the other tab still recording
        # its payment) a plain message that they may be being paid from another page, or (on
        # a loaded machine the other tab may finish between this one's two reads) that they
        # are already paid.
        assert status == 302 or (
            status == 400 and ("paid from another page too" in content or "already paid" in content)
        ), (status, content[content.find("alert") : content.find("alert") + 300])
    if card == "saved":
        assert [status for status, _ in results] == [302, 302]

"""Staff double clicks: the admin's add charge / add credit / refund forms carry a one-time
key, so a second submit of the same form posts nothing and says so; a refund's gateway call
happens outside the admin's transaction, and a refusal or a silent gateway never loses
track of the money."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import GatewayUnavailable
from springboard.billing.gateways.base import RefundResult
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Charge, Payment, Refund
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories
from tests.billing import factories as billing


@pytest.fixture
def staff(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


@pytest.fixture
def family(org):
    return family_factories.family(org)


def _key(staff, url: str) -> str:
    page = staff.get(url)
    assert page.status_code == 200
    return re.search(rb'name="key" value="([^"]+)"', page.content).group(1).decode()


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_a_double_submitted_add_charge_form_posts_one_charge_and_says_so(staff, org, family):
    url = "/admin/billing/charge/add/"
    data = {
        "organization": org.pk,
        "family": family.pk,
        "kind": "fee",
        "description": "Lost goggles",
        "amount": "12.50",
        "due_date": "2027-01-15",
        "key": _key(staff, url),
    }
    assert staff.post(url, data).status_code == 302
    second = staff.post(url, data)
    assert second.status_code == 302
    assert Charge.objects.count() == 1
    assert "already submitted" in _said(second)
    assert "nothing more was posted" in _said(second)
    assert balances.balance(family) == Decimal("12.50")


@pytest.mark.django_db
def test_a_double_submitted_add_credit_form_posts_one_credit_and_says_so(staff, org, family):
    url = "/admin/billing/payment/add/"
    data = {
        "organization": org.pk,
        "family": family.pk,
        "amount": "25.00",
        "note": "Goodwill",
        "key": _key(staff, url),
    }
    assert staff.post(url, data).status_code == 302
    second = staff.post(url, data)
    assert second.status_code == 302
    assert Payment.objects.count() == 1
    assert "already submitted" in _said(second)
    assert balances.credit(family) == Decimal("25.00")


@pytest.mark.django_db
def test_two_add_charge_forms_post_two_charges(staff, org, family):
    url = "/admin/billing/charge/add/"
    for _ in range(2):
        data = {
            "organization": org.pk,
            "family": family.pk,
            "kind": "fee",
            "description": "Lost goggles",
            "amount": "12.50",
            "due_date": "2027-01-15",
            "key": _key(staff, url),
        }
        assert staff.post(url, data).status_code == 302
    assert Charge.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_admin_refund_calls_the_gateway_outside_any_transaction(staff, org, family, monkeypatch):
    payment = billing.payment(family, "40.00")
    refund_at_gateway = SandboxGateway.refund
    in_transaction = []

    def watched_refund(self, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return refund_at_gateway(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "refund", watched_refund)
    url = "/admin/billing/refund/add/"
    data = {
        "organization": org.pk,
        "payment": payment.pk,
        "amount": "40.00",
        "reason": "Leaving",
        "key": _key(staff, url),
    }
    response = staff.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert in_transaction == [False]
    assert SandboxRefund.objects.count() == 1
    assert balances.credit(family) == Decimal("0.00")
    again = staff.post(url, data)
    assert "already submitted" in _said(again)
    assert in_transaction == [False]  # the replay never went back to the gateway
    assert Refund.objects.count() == 1
    listing = staff.get("/admin/billing/refund/")
    assert listing.status_code == 200
    assert b"refunded" in listing.content


@pytest.mark.django_db
def test_a_refund_the_gateway_refuses_keeps_the_money_as_credit(org, family, monkeypatch):
    payment = billing.payment(family, "40.00")
    monkeypatch.setattr(
        SandboxGateway, "refund", lambda self, **kw: RefundResult(False, "", "Card closed")
    )
    common = {
        "organization": org,
        "payment": payment,
        "amount": "40.00",
        "reason": "Leaving",
        "now": timezone.now(),
        "actor": None,
    }
    with pytest.raises(GatewayUnavailable, match="Card closed"):
        services.refund(**common, idempotency_key="r1")
    assert balances.credit(family) == Decimal("40.00")
    with pytest.raises(GatewayUnavailable, match="Card closed"):  # same key, same answer
        services.refund(**common, idempotency_key="r1")
    monkeypatch.undo()
    services.refund(**common, idempotency_key="r2")
    assert balances.credit(family) == Decimal("0.00")


@pytest.mark.django_db
def test_a_refund_whose_gateway_never_answered_keeps_the_money_reserved_until_retried(
    org, family, monkeypatch
):
    payment = billing.payment(family, "40.00")
    charge = billing.charge(family, "40.00")

    def times_out(self, **kwargs):
        raise TimeoutError("no answer")

    monkeypatch.setattr(SandboxGateway, "refund", times_out)
    common = {
        "organization": org,
        "payment": payment,
        "amount": "40.00",
        "reason": "Leaving",
        "idempotency_key": "r1",
        "now": timezone.now(),
        "actor": None,
    }
    with pytest.raises(TimeoutError):
        services.refund(**common)
    # Reserved: the money cannot be allocated to a charge meanwhile.
    assert balances.credit(family) == Decimal("0.00")
    assert balances.payment_unallocated_amount(payment) == Decimal("0.00")
    monkeypatch.undo()
    refund = services.refund(**common)
    assert refund.outcome.succeeded
    assert SandboxRefund.objects.count() == 1
    assert balances.balance(family) == charge.amount

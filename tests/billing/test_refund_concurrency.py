"""On PostgreSQL (real row locks): two staff tabs refunding the same payment at the same
moment return the money once. The refund service reserves it under the family's ledger lock
(billing/refunds.py), so the second tab is told nothing is left to refund, and the same form
submitted twice at once is answered as already submitted; neither ever gets a 500."""

import re
import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Refund
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories
from tests.billing import factories as billing
from tests.billing.concurrency_helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/admin/billing/refund/add/"


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture(autouse=True)
def slow_unallocated_check(monkeypatch):
    """Widen the window between reading what of the payment is left and posting the refund,
    so both requests are inside it at once: the race is certain rather than lucky."""
    real = balances.payment_unallocated_amount

    def slow(payment):
        left = real(payment)
        time.sleep(0.3)
        return left

    monkeypatch.setattr(balances, "payment_unallocated_amount", slow)


def _tabs(org, count: int = 2) -> list[Client]:
    """One staff member's browser: `count` tabs sharing its session. A 500 is answered as a
    500 (not raised into the test), the way the member would see it."""
    first = Client(raise_request_exception=False)
    first.force_login(factories.staff_user(org, StaffRole.STAFF))
    tabs = [first]
    for _ in range(count - 1):
        other = Client(raise_request_exception=False)
        other.cookies = first.cookies
        tabs.append(other)
    return tabs


def _form(tab: Client, org, payment, amount: str) -> dict:
    """The refund form as a tab shows it: its own one-time key."""
    page = tab.get(URL)
    assert page.status_code == 200
    key = re.search(rb'name="key" value="([^"]+)"', page.content).group(1).decode()
    return {
        "organization": org.pk,
        "payment": payment.pk,
        "amount": amount,
        "reason": "Moving away",
        "key": key,
    }


def _submit_together(submissions: list[tuple[Client, dict]]) -> list[tuple[int, str, str]]:
    calls = iter(submissions)

    def submit():
        tab, data = next(calls)
        response = tab.post(URL, data)
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        if response.status_code >= 500:
            said = repr(getattr(response, "exc_info", None) and response.exc_info[1])
        elif response.status_code == 200:  # the form again: what it says is wrong
            said = " ".join(re.findall(r"errorlist[^>]*>\s*<li>([^<]*)", response.content.decode()))
        return response.status_code, response.content.decode(), said

    return run_together(len(submissions), submit)


def _money_returned_once(family, payment) -> None:
    """One refund counts, for the whole payment, and the ledger adds up: what was paid is
    what was refunded, nothing is left as credit and nothing is owed."""
    counting = Refund.objects.filter(payment=payment).exclude(outcome__succeeded=False)
    assert [refund.amount for refund in counting] == [payment.amount]
    totals = balances.family_totals(family)
    assert totals.paid == totals.allocated + totals.refunded
    assert totals.refunded == payment.amount
    assert totals.credit == Decimal("0.00")
    assert totals.balance == Decimal("0.00")


@pytest.mark.parametrize("paid_by", ["card", "credit adjustment"])
def test_two_staff_tabs_refunding_the_same_payment_at_once_refund_it_once(org, family, paid_by):
    payment = (
        billing.payment(family, "40.00")
        if paid_by == "card"
        else billing.credit(family, "40.00")  # no gateway: nothing else would refuse twice
    )
    tabs = _tabs(org)
    forms = [_form(tab, org, payment, "40.00") for tab in tabs]  # each tab its own form
    results = _submit_together(list(zip(tabs, forms, strict=True)))

    assert all(status < 500 for status, _, _ in results), results
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200, 302], results  # one refunded; the other form shown again
    shown_again = next(content for status, content, _ in results if status == 200)
    assert "Only $0.00 of this payment is unallocated" in shown_again
    assert Refund.objects.count() == 1  # the refused tab recorded nothing
    assert SandboxRefund.objects.count() == (1 if paid_by == "card" else 0)
    _money_returned_once(family, payment)


def test_a_refund_form_submitted_twice_at_once_refunds_once_and_says_so(org, family):
    payment = billing.payment(family, "40.00")
    tabs = _tabs(org)
    data = _form(tabs[0], org, payment, "40.00")  # a double click: the same form, one key
    results = _submit_together([(tab, data) for tab in tabs])

    assert [status for status, _, _ in results] == [302, 302], [
        (status, said) for status, _, said in results
    ]
    said = [message for _, _, message in results]
    assert sum("already submitted" in message for message in said) == 1, said
    assert Refund.objects.count() == 1
    assert SandboxRefund.objects.count() == 1
    _money_returned_once(family, payment)


def test_the_sandbox_answers_the_same_refund_asked_twice_at_once_with_one_refund(
    org, family, monkeypatch
):
    """The gateway's side of a double-submitted refund: both calls (one key) get the one
    refund. Before the key was looked up under the charge's lock, the second waited for the
    lock, found the money refunded and refused, and the ledger could record that refusal
    for the refund the gateway had made (seen once in CI)."""
    payment = billing.payment(family, "40.00")
    real_create = SandboxRefund.objects.create

    def slow_create(**fields):
        row = real_create(**fields)
        time.sleep(0.3)  # the first call's refund is written, not yet committed
        return row

    monkeypatch.setattr(SandboxRefund.objects, "create", slow_create)

    def ask():
        return SandboxGateway(org).refund(
            charge_reference=payment.gateway_reference,
            amount=Decimal("40.00"),
            currency=org.currency,
            idempotency_key="refund:one-form",
        )

    first, second = run_together(2, ask)
    assert first.succeeded and second.succeeded, (first, second)
    assert first.reference == second.reference
    assert SandboxRefund.objects.count() == 1

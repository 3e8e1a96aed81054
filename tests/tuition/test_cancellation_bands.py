"""Camps and parties cancelled under the business's rule, band by band at its edges (full up
to 14 days before, 50 % up to 7, none closer), to the original payment through the gateway
or to credit, each idempotent; a crash after the gateway answered is completed once, by the
next click or by housekeeping (docs/booking.md, "Camps and parties", "The refund
sequence"). The camp: 15–16 March 2027, 100.00 paid by card on 1 February."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Charge, Refund, RefundOutcome
from springboard.booking.models import DropRules, EventRegistration
from springboard.core.housekeeping import jobs
from tests.booking.test_cancellations import _cancel, camp  # noqa: F401  (the fixture)
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


def _on(month, day) -> datetime:
    return datetime(2027, month, day, 10, tzinfo=catalog.CHICAGO)


@pytest.mark.parametrize("to", ["payment", "credit"])
@pytest.mark.parametrize(
    ("when", "days", "back"),
    [
        (_on(3, 1), 14, "100.00"),  # the full band's last day
        (_on(3, 2), 13, "50.00"),  # the partial band's first day
        (_on(3, 8), 7, "50.00"),  # the partial band's last day
        (_on(3, 9), 6, "0.00"),  # nothing back
    ],
)
def test_each_band_at_its_edges_to_the_card_or_to_credit(
    org,
    camp,  # noqa: F811
    to,
    when,
    days,
    back,
):
    family, registration = camp
    DropRules.objects.create(organization=org, cancel_refund_to=to)  # 14 / 7 days, 50 %
    plan, changed = _cancel(registration, family, when)
    assert changed and plan.days_before == days and plan.refund == Decimal(back)
    kept = Decimal("100.00") - Decimal(back)
    fee = Charge.objects.filter(idempotency_key__endswith="-kept", void__isnull=True)
    assert [c.amount for c in fee] == ([kept] if kept else [])
    refunded = to == "payment" and back != "0.00"
    assert [r.amount for r in Refund.objects.all()] == ([Decimal(back)] if refunded else [])
    assert RefundOutcome.objects.filter(succeeded=True).count() == (1 if refunded else 0)
    assert SandboxRefund.objects.count() == (1 if refunded else 0)
    assert balances.credit(family) == (Decimal(back) if to == "credit" else Decimal("0.00"))
    assert balances.balance(family) == Decimal("0.00")
    # Again: nothing more.
    assert _cancel(registration, family, when) == (None, False)
    assert Refund.objects.count() == (1 if refunded else 0)
    assert SandboxRefund.objects.count() == (1 if refunded else 0)
    assert balances.credit(family) == (Decimal(back) if to == "credit" else Decimal("0.00"))


@pytest.mark.parametrize("completed_by", ["the next click", "housekeeping"])
def test_a_crash_after_the_gateway_refunded_is_completed_once(
    org,
    camp,  # noqa: F811
    monkeypatch,
    completed_by,
):
    family, registration = camp
    DropRules.objects.create(organization=org, cancel_refund_to="payment")
    answer = SandboxGateway.refund

    def answers_then_crashes(self, **kwargs):
        answer(self, **kwargs)
        raise RuntimeError("the process died before recording the answer")

    monkeypatch.setattr(SandboxGateway, "refund", answers_then_crashes)
    with pytest.raises(RuntimeError):
        _cancel(registration, family, _on(2, 20))
    assert Refund.objects.count() == 1 and not RefundOutcome.objects.exists()  # the intent
    assert not EventRegistration.objects.filter(status="active").exists()
    monkeypatch.undo()
    if completed_by == "the next click":
        assert _cancel(registration, family, _on(2, 20)) == (None, False)
    else:
        with time_machine.travel(_on(2, 20).replace(hour=11), tick=False):
            jobs()["tuition.complete_drop_refunds"](timezone.now())
    assert [r.amount for r in Refund.objects.all()] == [Decimal("100.00")]
    assert RefundOutcome.objects.filter(succeeded=True).count() == 1
    assert SandboxRefund.objects.count() == 1
    assert balances.credit(family) == Decimal("0.00")
    assert balances.balance(family) == Decimal("0.00")

"""The history's running balance is balance − credit after every kind of ledger row."""

from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances, history, services
from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


def test_every_kind_of_row_with_the_running_balance(org):
    family = family_factories.family(org)
    now = timezone.now
    tuition = billing.charge(family, "100.00", description="Tuition")
    fee = billing.charge(family, "30.00", description="Fee")
    paid = billing.payment(family, "120.00")
    services.allocate(organization=org, payment=paid, charge=tuition, amount="100.00", now=now())
    services.void_charge(organization=org, charge=fee, reason="Posted twice", now=now(), actor=None)
    services.refund(
        organization=org, payment=paid, amount="15.00", reason="Extra", idempotency_key="r1",
        now=now(), actor=None,
    )  # fmt: skip
    with pytest.raises(Exception):  # noqa: B017, PT011 - a declined attempt is still history
        billing.payment(family, "5.00", number=billing.DECLINED_CARD)
    rows = history.page(family, offset=0, limit=50)
    assert [r.kind for r in rows] == [
        "payment", "refund", "void", "allocation", "payment", "charge", "charge",
    ]  # fmt: skip
    assert rows[0].status == "declined" and not rows[0].moves
    assert rows[0].running == balances.balance(family) - balances.credit(family)
    assert [r.running for r in reversed(rows)] == [
        Decimal(x) for x in ("100.00", "130.00", "10.00", "10.00", "-20.00", "-5.00", "-5.00")
    ]
    assert history.count(family) == 7
    assert [r.kind for r in history.page(family, offset=5, limit=5)] == ["charge", "charge"]

"""The demo family has a paid enrollment, an outstanding charge, credit and a saved card;
loading the demo twice changes nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Allocation, Charge, Payment, SavedPaymentMethod
from springboard.booking.models import Enrollment
from springboard.demo import data
from springboard.families.models import Family

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (Enrollment, Charge, Payment, Allocation, SavedPaymentMethod)
    ]


def test_the_demo_family_has_money_on_every_screen(client):
    data.load(now=timezone.now())
    counts = _counts()
    data.load(now=timezone.now())
    assert _counts() == counts
    family = Family.objects.get(organization__account_name="demo", email="family@demo.example")
    assert Enrollment.objects.filter(student__family=family, status="active").count() == 1
    assert balances.balance(family) == Decimal("60.00")
    assert balances.credit(family) == Decimal("25.00")
    assert family.payment_methods.get().last4 == "4242"
    client.force_login(family.guardians.get(is_primary=True).user)
    for url in ("payments", "payment-methods", "history", "statement"):
        assert client.get(f"/demo/account/{url}/").status_code == 200
    assert b"outstanding-notice" in client.get("/demo/dashboard/").content

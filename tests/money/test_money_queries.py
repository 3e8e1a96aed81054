"""Payments, history and statement run the same number of queries for 5 and for 200 ledger
rows (bulk_create: the app posts through services, but the count is about reading)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing.models import Allocation, Charge, ChargeKind, Payment
from tests import family_factories
from tests.helpers import queries_for

pytestmark = pytest.mark.django_db

URLS = [
    "/acme/account/payments/",
    "/acme/account/history/",
    "/acme/account/history/?page=2",
    "/acme/account/statement/?start=2020-01-01&end=2029-12-31",
    "/acme/account/payment-methods/",
    "/acme/dashboard/",
]


def _ledger(family, rows: int) -> None:
    now = timezone.now() - timedelta(days=rows)
    org = family.organization
    charges = Charge.objects.bulk_create(
        Charge(
            organization=org,
            family=family,
            kind=ChargeKind.FEE,
            description=f"Fee {n}",
            amount=Decimal("10.00"),
            due_date=date(2027, 1, 1),
            created_at=now + timedelta(days=n),
        )
        for n in range(rows)
    )
    payments = Payment.objects.bulk_create(
        Payment(
            organization=org,
            family=family,
            amount=Decimal("5.00"),
            method="credit",
            status="succeeded",
            idempotency_key=f"bulk-{family.pk}-{n}",
            created_at=now + timedelta(days=n, hours=1),
        )
        for n in range(rows)
    )
    Allocation.objects.bulk_create(
        Allocation(
            organization=org,
            payment=payment,
            charge=charge,
            amount=Decimal("5.00"),
            created_at=payment.created_at,
        )
        for payment, charge in zip(payments, charges, strict=True)
    )


@pytest.mark.parametrize("url", URLS)
def test_query_count_does_not_grow_with_the_ledger(client, org, url):
    small = family_factories.family(org, last_name="Small")
    large = family_factories.family(org, last_name="Large")
    _ledger(small, 5)
    _ledger(large, 200)
    client.force_login(small.guardians.get().user)
    queries_small = queries_for(client, url)
    client.force_login(large.guardians.get().user)
    queries_large = queries_for(client, url)
    assert queries_small == queries_large
    assert queries_large < 30

"""A confirmed order's postings in one go (billing.services.post_order_charges; issue 17,
item 3, third pass): the charges and their allocations are inserted in bulk after one read
under the family lock, with the same rules as posting and allocating them one by one."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import InvalidAmount
from springboard.billing.models import Allocation, Charge, ChargeKind
from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


def _charges(*amounts, due_now=True):
    return [
        services.OrderCharge(
            amount=Decimal(amount),
            kind=ChargeKind.TUITION,
            due_date=date(2027, 1, 1),
            ledger_fields={"description": f"Class {number}"},
            due_now=due_now,
        )
        for number, amount in enumerate(amounts)
    ]


def _post(family, charges, **money):
    return services.post_order_charges(
        organization=family.organization,
        family=family,
        charges=charges,
        now=timezone.now(),
        **{"payment": None, **money},
    )


def test_credit_first_oldest_payment_first_then_the_card_takes_exactly_the_rest(org):
    family = family_factories.family(org)
    older = billing.credit(family, "30.00")
    newer = billing.credit(family, "30.00")
    card = billing.payment(family, "110.00")
    rows = _post(family, _charges("80.00", "80.00"), payment=card, credit=Decimal("50.00"))

    paid = {(a.charge_id, a.payment_id): a.amount for a in Allocation.objects.all()}
    first, second = rows
    assert paid == {
        (first.pk, older.pk): Decimal("30.00"),
        (first.pk, newer.pk): Decimal("20.00"),
        (first.pk, card.pk): Decimal("30.00"),
        (second.pk, card.pk): Decimal("80.00"),
    }
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("10.00")  # the rest of the newer credit


def test_a_charge_due_later_is_posted_and_left_open(org):
    family = family_factories.family(org)
    card = billing.payment(family, "80.00")
    charges = _charges("80.00") + _charges("40.00", due_now=False)
    _post(family, charges, payment=card)
    assert Charge.objects.count() == 2
    assert balances.balance(family) == Decimal("40.00")
    assert balances.payment_unallocated_amount(card) == Decimal("0.00")


def test_a_payment_spent_meanwhile_posts_nothing(org):
    """A retried payment whose money was spent as credit meanwhile (e.g. by another order):
    never allocated twice; the caller rolls back and keeps what is left as credit."""
    family = family_factories.family(org)
    card = billing.payment(family, "80.00")
    elsewhere = billing.charge(family, "50.00")
    services.allocate(
        organization=org, payment=card, charge=elsewhere, amount="50.00", now=timezone.now()
    )
    # inside the caller's (confirm's) transaction, which the error rolls back
    with pytest.raises(InvalidAmount, match="more than is left"), transaction.atomic():
        _post(family, _charges("80.00"), payment=card)
    assert Charge.objects.count() == 1
    assert Allocation.objects.count() == 1


def test_more_credit_than_the_family_has_posts_nothing(org):
    family = family_factories.family(org)
    billing.credit(family, "20.00")
    with pytest.raises(InvalidAmount, match="more than your credit"), transaction.atomic():
        _post(family, _charges("80.00"), credit=Decimal("30.00"))
    assert not Charge.objects.exists()


def test_the_queries_do_not_grow_with_the_charges(org):
    family = family_factories.family(org)
    billing.credit(family, "500.00")
    counts = []
    for number in (1, 4):
        card = billing.payment(family, f"{100 * number}.00")
        with CaptureQueriesContext(connection) as captured:
            _post(family, _charges(*["100.00"] * number), payment=card)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts

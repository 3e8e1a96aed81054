"""Drop day on PostgreSQL: 30 families buying the last 2 leotards at once never oversell.

As for seats (tests/booking/test_concurrency.py): first the race without the lock (every
thread held by a barrier right after reading what is left), then the lock closes it.
"""

import threading

import pytest
from django.db import connection, transaction

from springboard.booking import locking
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import CartItem
from springboard.booking.products import add_product
from springboard.shop.models import Variant
from tests import family_factories
from tests.booking.conftest import NOW
from tests.booking.test_concurrency import run_at_once
from tests.shop import factories as shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BUYERS = 30
UNITS = 2


@pytest.fixture
def buyers(org):
    return [family_factories.family(org, last_name=f"B{n}") for n in range(BUYERS)]


def _last_units(org):
    product = shop.product(org, sizes=("M",), stock=UNITS)
    return product.variants.get()


def _held(variant) -> int:
    return sum(CartItem.objects.filter(variant=variant).values_list("quantity", flat=True))


def test_without_the_lock_30_buyers_oversell_the_last_2_units(org, buyers):
    variant = _last_units(org)
    location = org.location_set.get()
    after_read = threading.Barrier(BUYERS, timeout=20)

    def buy(number, _round):
        return add_product(
            family=buyers[number],
            variant=variant,
            location=location,
            quantity=1,
            now=NOW,
            lock=False,
            after_read=after_read.wait,
        )

    run_at_once(BUYERS, buy)
    assert _held(variant) > UNITS


def test_with_the_lock_exactly_2_sold_over_20_rounds(org, buyers):
    variants = [_last_units(org) for _ in range(20)]
    location = org.location_set.get()

    def buy(number, round_number):
        return add_product(
            family=buyers[number],
            variant=variants[round_number],
            location=location,
            quantity=1,
            now=NOW,
        )

    for variant, results in zip(variants, run_at_once(BUYERS, buy, rounds=20), strict=True):
        assert _held(variant) == UNITS
        assert len([r for r in results if isinstance(r, CartItem)]) == UNITS
        assert all(isinstance(r, (CartItem, BookingError)) for r in results), results


def test_a_lock_not_granted_in_time_is_a_polite_409(org, buyers, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    variant = _last_units(org)
    location = org.location_set.get()
    outcome = {}

    def buy():
        try:
            add_product(family=buyers[0], variant=variant, location=location, quantity=1, now=NOW)
        except BookingBusy as error:
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        list(Variant.objects.select_for_update().filter(pk=variant.pk))
        thread = threading.Thread(target=buy)
        thread.start()
        thread.join(timeout=10)
    assert outcome["error"].status == 409
    assert not CartItem.objects.exists()

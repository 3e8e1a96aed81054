"""On PostgreSQL: a promo code's total uses are never exceeded. Without the code's lock, two
families confirming at once both read "not used up" and both use a code meant for one; with
it, exactly the limit is used and the others are told (their card payment kept as credit)."""

import threading
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import balances
from springboard.booking import services as booking
from springboard.checkout import discounts, promo_codes, services
from springboard.checkout.errors import PaymentKept
from springboard.checkout.models import Order, OrderStatus, PromoCode
from tests import factories, family_factories
from tests.billing.concurrency_helpers import run_together
from tests.billing.factories import card_token
from tests.booking.conftest import KID_BIRTH_DATE, NOW
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _during_enrollment():
    with time_machine.travel(NOW, tick=True):
        yield


def _orders_with_code(count: int, max_uses: int):
    org = factories.organization()
    factories.location(org)
    course = catalog.course(org, capacity=20, tuition="100.00")
    code = PromoCode.objects.create(
        organization=org, code="WELCOME10", value=Decimal("10"), max_uses=max_uses
    )
    orders = []
    for n in range(count):
        family = family_factories.family(org, last_name=f"Family{n}")
        kid = family_factories.student(family, birth_date=KID_BIRTH_DATE)
        booking.add_course(family=family, students=[kid], course=course, now=timezone.now())
        order = services.start_checkout(family=family, user=None, now=timezone.now())
        orders.append(
            promo_codes.apply_promo_code(order=order, typed="welcome10", now=timezone.now())
        )
    return org, code, orders


def _payer(org, orders, **options):
    tokens = [card_token(org) for _order in orders]
    index = iter(range(len(orders)))
    lock = threading.Lock()

    def pay():
        with lock:
            n = next(index)
        return services.pay(
            order=Order.objects.get(pk=orders[n].pk),
            request=services.PayRequest(attempt=1, token=tokens[n]),
            user=None,
            now=timezone.now(),
            **options,
        )

    return pay


def test_without_the_lock_a_code_for_one_is_used_twice():
    org, code, orders = _orders_with_code(2, max_uses=1)
    barrier = threading.Barrier(2)
    results = run_together(
        2, _payer(org, orders, lock=False, after_read=lambda: barrier.wait(timeout=10))
    )
    assert all(isinstance(r, Order) for r in results), results
    assert discounts.uses(code) == 2  # more than allowed: the race the lock prevents


def test_with_the_lock_exactly_the_limit_is_used():
    org, code, orders = _orders_with_code(5, max_uses=2)
    results = run_together(5, _payer(org, orders))
    confirmed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, PaymentKept)]
    assert len(confirmed) == 2 and len(refused) == 3, results
    assert discounts.uses(code) == 2
    assert all("This code can't be used." in r.message for r in refused)
    for order in Order.objects.exclude(status=OrderStatus.CONFIRMED):
        assert not order.lines.filter(charge__isnull=False).exists()
        assert balances.credit(order.family) == Decimal("90.00")  # the payment, kept

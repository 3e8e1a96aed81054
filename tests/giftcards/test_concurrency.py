"""On PostgreSQL (real row locks): checkouts spending the same eGift Card at once never take
more than its balance. First the race without the card's lock: with a barrier after each
checkout has read the balance, both spend it (the card goes negative)."""

import threading
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing.models import Payment, PaymentMethodKind
from springboard.booking import services as booking
from springboard.checkout import gift_cards, services
from springboard.checkout.errors import CheckoutError
from springboard.checkout.models import Order, OrderStatus
from springboard.giftcards import services as giftcards
from springboard.giftcards.models import TransactionKind
from tests import factories, family_factories
from tests.billing.concurrency_helpers import run_together
from tests.booking.conftest import NOW
from tests.catalog import factories as catalog
from tests.giftcards.conftest import a_card, gift_settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _during_enrollment():
    with time_machine.travel(NOW, tick=True):
        yield


def _world(families: int, balance: str):
    from datetime import date

    org = factories.organization()
    factories.location(org)
    gift_settings(org)
    course = catalog.course(org, capacity=families + 1, tuition="40.00", tuition_period="term")
    card, code = a_card(org, balance, now=timezone.now())
    orders = []
    for index in range(families):
        family = family_factories.family(org, last_name=f"F{index}")
        kid = family_factories.student(family, first_name="A", birth_date=date(2020, 6, 1))
        booking.add_course(family=family, students=[kid], course=course, now=timezone.now())
        order = services.start_checkout(family=family, user=None, now=timezone.now())
        gift_cards.apply_card(order=order, code=code, now=timezone.now())
        orders.append(order)
    return card, orders


def _pay_with_card_only(order, **kwargs):
    """The whole order is paid by the eGift Card (it was applied for all that is due)."""
    order = Order.objects.get(pk=order.pk)
    assert gift_cards.gift_total(order) == order.due_now
    return services.pay(
        order=order,
        request=services.PayRequest(attempt=1),
        user=None,
        now=timezone.now(),
        **kwargs,
    )


def test_without_the_card_lock_two_checkouts_overspend_it():
    card, orders = _world(2, "50.00")
    barrier = threading.Barrier(2)
    results = run_together(
        2,
        lambda: _pay_with_card_only(
            orders.pop(), lock=False, after_read=lambda: barrier.wait(timeout=10)
        ),
    )
    assert all(isinstance(r, Order) for r in results), results
    spent = card.transactions.filter(kind=TransactionKind.SPENT)
    assert spent.count() == 2
    assert card.balance() < 0  # the race: both read $50 and each took its part


@pytest.mark.parametrize("repetition", range(3))
def test_with_the_card_lock_the_balance_is_never_exceeded(repetition):
    card, orders = _world(5, "100.00")
    due = orders[0].due_now
    assert due * 5 > Decimal("100.00")
    queue = list(orders)
    lock = threading.Lock()

    def pay_next():
        with lock:
            order = queue.pop()
        return _pay_with_card_only(order)

    results = run_together(5, pay_next)
    paid = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CheckoutError)]
    assert len(paid) + len(refused) == 5, results
    assert card.balance() >= 0
    assert card.balance() == Decimal("100.00") - due * len(paid)
    assert len(paid) == int(Decimal("100.00") // due)
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == len(paid)
    gift_payments = Payment.objects.filter(method=PaymentMethodKind.GIFT_CARD)
    assert sum(p.amount for p in gift_payments) == due * len(paid)  # none for a refused one


def test_spend_and_move_to_credit_at_once_never_exceed_the_balance():
    card, orders = _world(1, "40.00")
    family = orders[0].family
    work = [
        lambda: _pay_with_card_only(orders[0]),
        lambda: giftcards.move_to_credit(card=card, family=family, now=timezone.now()),
    ]
    lock = threading.Lock()

    def one():
        with lock:
            job = work.pop()
        return job()

    results = run_together(2, one)
    assert card.balance() == Decimal("0.00"), results
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1

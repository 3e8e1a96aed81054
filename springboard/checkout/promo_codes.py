"""A promo code on a pending order: the family types it on the checkout page (or removes it),
and the order is priced again through the pricing service with it (docs/billing.md,
"Discounts and promo codes"). The code counts as used only when the order is confirmed;
`services.confirm` checks it again under the code's lock.
"""

from datetime import datetime

from springboard.booking.locking import locked_many
from springboard.booking.models import CartItem
from springboard.checkout import discounts, pricing
from springboard.checkout.errors import CheckoutError
from springboard.checkout.models import Order
from springboard.checkout.services import (
    _create_lines,
    _local_today,
    _totals,
    check_open,
    lock_order,
    price_items,
    with_pricing_rows,
)


def _order_cart_items(order: Order) -> list[CartItem]:
    return list(
        with_pricing_rows(CartItem.objects.filter(order_item__order=order))
        .select_related("order_item")
        .order_by("added_at", "id")
    )


def _reprice(order: Order, *, promo, now: datetime) -> Order:
    """Under the order's lock: its lines again, with or without the code."""
    cart_items = _order_cart_items(order)
    try:
        pairs, today = price_items(cart_items, family=order.family, now=now, promo=promo)
    except pricing.PricingError as error:
        raise CheckoutError(error.message) from None
    order.lines.all().delete()  # a pending order's lines are not ledger rows yet
    _create_lines(order, {item.pk: item.order_item for item in cart_items}, pairs)
    order.total, order.due_now = _totals(pairs, today)
    order.priced_on = today
    order.promo_code = promo
    order.save(update_fields=["total", "due_now", "priced_on", "promo_code"])
    return order


def apply_promo_code(*, order: Order, typed: str, now: datetime) -> Order:
    """Price the pending order with the code the family typed; PromoCodeRefused (one message
    for every reason a code cannot be used) or CheckoutError change nothing."""
    check_open(order, now)
    with locked_many([]):  # the lock timeout: a busy family lock is a 409, not a wait
        order = lock_order(order.organization, order.family, order.pk)
        check_open(order, now)
        cart_items = _order_cart_items(order)
        today = _local_today(cart_items, order.organization, now)
        promo = discounts.find_promo_code(typed, family=order.family, today=today)
        return _reprice(order, promo=promo, now=now)


def remove_promo_code(*, order: Order, now: datetime) -> Order:
    check_open(order, now)
    with locked_many([]):
        order = lock_order(order.organization, order.family, order.pk)
        check_open(order, now)
        return _reprice(order, promo=None, now=now)

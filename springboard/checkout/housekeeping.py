"""Housekeeping of orders: mark pending orders past their payment window expired. Tidying
only: an order's seats stop counting the moment its window ends (checked on every read)."""

from datetime import datetime

from springboard.checkout.services import expire_orders
from springboard.core.housekeeping import register


@register("checkout.expire_pending_orders")
def expire_pending_orders(now: datetime) -> str:
    return f"expired {expire_orders(now)} pending orders"

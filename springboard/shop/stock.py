"""What a family may still buy: computed, never a counter (docs/shop.md).

available = on hand (the sum of the variant's movements at the location)
            − units held by unexpired cart holds and pending orders.

The holds are booking's rows and booking sits on this app's rung, so shop cannot import
them: booking registers an expression in `UNITS_HELD` (an explicit registry, as
catalog.availability's), and this module sums it in the same query that lists the variants
or products, so a page costs the same queries for 5 products or 200.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import (
    Expression,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from springboard.shop.models import StockMovement, Variant

# name -> function(now, location_id, path) returning an expression that sums the units held
# for OuterRef("pk"), where `path` is "variant" (rows are variants) or "variant__product"
# (rows are products). Booking registers its holds (pending orders included, through
# CartItem.keeping).
UnitsHeld = Callable[[datetime, int, str], Expression]
UNITS_HELD: dict[str, UnitsHeld] = {}


class StockError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _zero(expression) -> Expression:
    return Coalesce(expression, Value(0), output_field=IntegerField())


def _on_hand(location_id: int, path: str) -> Expression:
    movements = StockMovement.objects.filter(**{path: OuterRef("pk")}, location_id=location_id)
    if path != "variant":  # a product's units: of the variants still sold
        movements = movements.filter(variant__is_active=True)
    return _zero(
        Subquery(
            movements.order_by().values(path).annotate(n=Sum("quantity")).values("n")[:1],
            output_field=IntegerField(),
        )
    )


def _held(now: datetime, location_id: int, path: str) -> Expression:
    total: Expression = Value(0, output_field=IntegerField())
    for make in UNITS_HELD.values():
        total = total + _zero(make(now, location_id, path))
    return total


def with_stock(queryset: QuerySet, *, location_id: int, now: datetime, path: str) -> QuerySet:
    """Rows annotated with `on_hand`, `units_held` and `units_left` at the location."""
    return queryset.annotate(
        on_hand=_on_hand(location_id, path), units_held=_held(now, location_id, path)
    ).annotate(units_left=F("on_hand") - F("units_held"))


def with_variant_stock(queryset: QuerySet, *, location_id: int, now: datetime) -> QuerySet:
    return with_stock(queryset, location_id=location_id, now=now, path="variant")


def with_product_stock(queryset: QuerySet, *, location_id: int, now: datetime) -> QuerySet:
    """Products with the units left over all their active variants (the grid's badge)."""
    return with_stock(queryset, location_id=location_id, now=now, path="variant__product")


def units_left(variant_id: int, *, location_id: int, now: datetime) -> int:
    """Read from the database at `now` (under the variant's lock, in the services)."""
    return (
        with_variant_stock(Variant.objects.filter(pk=variant_id), location_id=location_id, now=now)
        .values_list("units_left", flat=True)
        .get()
    )


def check_not_oversold(pairs: Iterable[tuple[int, int]], *, now: datetime) -> None:
    """Under the variants' locks, with our own holds counted: nothing is below zero."""
    for variant_id, location_id in set(pairs):
        if units_left(variant_id, location_id=location_id, now=now) < 0:
            raise StockError(_("A product in your cart has sold out."))


def check_still_free(wanted: dict[tuple[int, int], int], *, now: datetime) -> None:
    """A late payment: the order's units were released; take them only if still there."""
    for (variant_id, location_id), quantity in wanted.items():
        if units_left(variant_id, location_id=location_id, now=now) < quantity:
            raise StockError(
                _(
                    "The time to pay for this order ran out before the payment arrived, and "
                    "its products were sold meanwhile."
                )
            )


def badge(units: int) -> str:
    """ "Sold out", "Only 2 left", or nothing when there are plenty."""
    if units <= 0:
        return _("Sold out")
    if units <= LOW_STOCK_BADGE:
        return _("Only %(count)s left") % {"count": units}
    return ""


LOW_STOCK_BADGE = 3

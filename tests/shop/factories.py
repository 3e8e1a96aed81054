"""Builders for ProShop rows; stock goes in through the service, as staff post it."""

import itertools
from decimal import Decimal

from django.utils import timezone

from springboard.shop import services
from springboard.shop.models import Category, MovementKind, Product, ShopSettings, Variant

_numbers = itertools.count(1)


def category(org, name: str | None = None, parent=None) -> Category:
    return Category.objects.create(
        organization=org, name=name or f"Category {next(_numbers)}", parent=parent
    )


def product(
    org,
    *,
    location=None,
    title: str | None = None,
    price: str = "30.00",
    sizes=("S", "M", "L"),
    stock: int | dict = 5,
    category_row=None,
    **fields,
) -> Product:
    """A product sold at `location` (the org's first) with one variant per size, each with
    `stock` units received (a dict gives them per size)."""
    location = location or org.location_set.order_by("pk").first()
    row = Product.objects.create(
        organization=org,
        category=category_row or category(org),
        title=title or f"Product {next(_numbers)}",
        price=Decimal(price),
        **fields,
    )
    row.locations.add(location)
    for position, size in enumerate(sizes):
        variant = Variant.objects.create(
            organization=org,
            product=row,
            option1=size,
            sku=f"SKU-{next(_numbers)}",
            position=position,
        )
        units = stock.get(size, 0) if isinstance(stock, dict) else stock
        if units:
            receive(variant, location, units)
    return row


def receive(variant, location, units: int, now=None):
    return services.post_movement(
        variant=variant,
        location=location,
        kind=MovementKind.RECEIVED,
        quantity=units,
        now=now or timezone.now(),
    )


def tax(org, rate: str) -> ShopSettings:
    return ShopSettings.objects.create(organization=org, tax_rate=Decimal(rate))


def variant(product_row, size: str = "M") -> Variant:
    return product_row.variants.get(option1=size)

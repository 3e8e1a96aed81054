"""The demo gym's ProShop (issue 12): a leotard in sizes, a swim cap in two colours and a
water bottle, with stock received a week before the load day; the swim cap is low on stock
and the water bottle sold out at Main Street, so the grid shows both badges at once.

Idempotent: products are found by title; their variants and stock are posted only when the
product is created, through the shop's services (the same ledger staff use).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from springboard.demo import images
from springboard.shop import services
from springboard.shop.models import Category, MovementKind, Product, ShopSettings, Variant
from springboard.tenancy.models import Organization

TAX_RATE = Decimal("6.25")

# (title, category, subcategory, price, option name, description, colour,
#  [(option, SKU, {location name: units received}, units sold at the desk)])
PRODUCTS = [
    (
        "Team leotard",
        "Apparel",
        "Leotards",
        Decimal("42.00"),
        "Size",
        "Our teal competition leotard with the Springboard logo. Child sizes.",
        "#0f766e",
        [
            ("XS", "LEO-XS", {"Main Street": 4, "Northside": 2}, 0),
            ("S", "LEO-S", {"Main Street": 6, "Northside": 3}, 1),
            ("M", "LEO-M", {"Main Street": 6, "Northside": 3}, 1),
            ("L", "LEO-L", {"Main Street": 5, "Northside": 2}, 2),
        ],
    ),
    (
        "Silicone swim cap",
        "Swim gear",
        "",
        Decimal("9.50"),
        "Colour",
        "Durable silicone cap, one size fits most kids.",
        "#1d4ed8",
        [
            ("Blue", "CAP-BLUE", {"Main Street": 3, "Northside": 4}, 2),
            ("Pink", "CAP-PINK", {"Main Street": 2, "Northside": 4}, 1),
        ],
    ),
    (
        "Water bottle",
        "Accessories",
        "",
        Decimal("14.00"),
        "Size",
        "Insulated 500 ml bottle: cold water all practice long.",
        "#7c3aed",
        [("500 ml", "BOTTLE-500", {"Main Street": 8, "Northside": 5}, 8)],
    ),
]


def _category(organization, name: str, parent=None) -> Category:
    row, _created = Category.objects.get_or_create(
        organization=organization, name=name, parent=parent
    )
    return row


def load_demo_shop(organization: Organization, *, now: datetime) -> None:
    ShopSettings.objects.get_or_create(organization=organization, defaults={"tax_rate": TAX_RATE})
    locations = {location.name: location for location in organization.location_set.all()}
    received_at = now - timedelta(days=7)
    sold_at = now - timedelta(days=2)
    for position, (title, top, sub, price, option, text, colour, variants) in enumerate(PRODUCTS):
        if Product.objects.filter(organization=organization, title=title).exists():
            continue
        category = _category(organization, top)
        if sub:
            category = _category(organization, sub, parent=category)
        product = Product(
            organization=organization,
            category=category,
            title=title,
            description=text,
            price=price,
            option1_name=option,
            position=position,
        )
        name = f"demo-shop-{position + 1}.jpg"
        product.image.save(
            name,
            images.background(name, colour, "#fbbf24", seed=40 + position, size=(800, 800)),
            save=False,
        )
        product.save()
        product.locations.set(list(locations.values()))
        for order, (value, sku, received, sold) in enumerate(variants):
            variant = Variant.objects.create(
                organization=organization,
                product=product,
                option1=value,
                sku=sku,
                position=order,
                low_stock_at=2,
            )
            for place, units in received.items():
                services.post_movement(
                    variant=variant,
                    location=locations[place],
                    kind=MovementKind.RECEIVED,
                    quantity=units,
                    now=received_at,
                    note="Opening stock (demo)",
                )
            if sold:
                services.post_movement(
                    variant=variant,
                    location=locations["Main Street"],
                    kind=MovementKind.SOLD,
                    quantity=sold,
                    now=sold_at,
                    note="Front desk sales (demo)",
                )

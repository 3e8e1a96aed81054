"""Staff's stock and fulfilment actions, and what checkout posts when an order is paid.

Every change is a new StockMovement row (never an edit); services take `now` and the actor
explicitly (one clock)."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.core.i18n import site_text
from springboard.families.mail import send_after_commit
from springboard.shop.models import (
    MovementKind,
    Purchase,
    ShopSettings,
    StockMovement,
    Variant,
)
from springboard.shop.stock import StockError

SIGNS = {
    MovementKind.RECEIVED: 1,
    MovementKind.RETURNED: 1,
    MovementKind.SOLD: -1,
}


def post_movement(
    *,
    variant: Variant,
    location,
    kind: str,
    quantity: int,
    now: datetime,
    actor=None,
    note: str = "",
    purchase: Purchase | None = None,
) -> StockMovement:
    """Received/returned add units, sold takes them; a correction is signed as given."""
    if location.organization_id != variant.organization_id:
        raise StockError(_("Choose a location of this organization."))
    quantity = signed_quantity(kind, quantity)
    return StockMovement.objects.create(
        organization=variant.organization,
        variant=variant,
        location=location,
        kind=kind,
        quantity=quantity,
        note=note[:200],
        purchase=purchase,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def signed_quantity(kind: str, quantity: int) -> int:
    """The row's signed units, or StockError saying why the entry is not one."""
    if kind in SIGNS:
        if quantity <= 0:
            raise StockError(_("Give a number of units above zero."))
        return SIGNS[kind] * quantity
    if kind == MovementKind.CORRECTED:
        if quantity == 0:
            raise StockError(_("A correction changes the count by at least one unit."))
        return quantity
    raise StockError(_("Unknown kind of movement."))


def on_hand(variant: Variant, location) -> int:
    total = StockMovement.objects.filter(variant=variant, location=location).aggregate(
        n=Sum("quantity")
    )["n"]
    return total or 0


def tax_rate(product) -> Decimal:
    """The product's own rate, else the organization's (percent); 0 when not taxable."""
    if not product.taxable:
        return Decimal("0")
    if product.tax_rate is not None:
        return product.tax_rate
    row = ShopSettings.objects.filter(organization_id=product.organization_id).first()
    return row.tax_rate if row else Decimal("0")


def record_sale(
    *,
    family,
    variant: Variant,
    location,
    quantity: int,
    unit_price: Decimal,
    order_number: int,
    now: datetime,
    actor=None,
    gift_name: str = "",
    gift_email: str = "",
) -> Purchase:
    """A paid product line (checkout calls it under the variant's lock): the purchase to
    fulfil and the sold movement; a gift's recipient is told after commit."""
    purchase = Purchase.objects.create(
        organization=family.organization,
        family=family,
        variant=variant,
        quantity=quantity,
        unit_price=unit_price,
        location=location,
        order_number=order_number,
        gift_recipient_name=gift_name,
        gift_recipient_email=gift_email,
        created_at=now,
    )
    post_movement(
        variant=variant,
        location=location,
        kind=MovementKind.SOLD,
        quantity=quantity,
        now=now,
        actor=actor,
        note=site_text(gettext_lazy("Order %(number)s"), number=order_number),
        purchase=purchase,
    )
    if gift_email:
        send_after_commit(
            "gift_notice",
            to=gift_email,
            subject=_("A gift waits for you at %(name)s") % {"name": family.organization.name},
            context={
                "purchase": purchase,
                "recipient": gift_name,
                "sender": family.name,
                "organization": family.organization,
                "location": location,
            },
        )
    return purchase


def mark_picked_up(*, purchase: Purchase, actor, now: datetime) -> bool:
    """Handed over at the front desk; False when it already was (nothing changes)."""
    with transaction.atomic():
        updated = Purchase.objects.filter(pk=purchase.pk, picked_up_at__isnull=True).update(
            picked_up_at=now, picked_up_by=actor
        )
    return bool(updated)

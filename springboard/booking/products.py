"""ProShop units in the cart: held like a seat (docs/shop.md).

A product line holds `quantity` units of a variant at the location it is picked up at, with
the cart's timer (the same hold minutes, expiry and toolbar count as a seat). The units are
taken under the seat rule: lock the variant's row (once, NO KEY UPDATE, with the lock timeout
→ BookingBusy, 409), then read what is left (shop.stock: on hand − unexpired holds − pending
orders), then write the hold and commit. `lock=False` and `after_read` exist for the race
test, as in booking.services.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from springboard.booking.locking import BookingError, locked
from springboard.booking.models import CartItem, ItemKind
from springboard.booking.services import Hook, ensure_can_book, hold_minutes
from springboard.shop import stock
from springboard.shop.models import Variant

MAX_UNITS = 20


def check_gift(name: str, email: str) -> tuple[str, str]:
    name, email = (name or "").strip()[:80], (email or "").strip()[:254]
    if not name and not email:
        return "", ""
    if not name or not email:
        raise BookingError(_("For a gift, give the recipient's name and email."))
    try:
        validate_email(email)
    except ValidationError:
        raise BookingError(_("Enter a valid email address for the recipient.")) from None
    return name, email


def add_product(
    *,
    family,
    variant: Variant,
    location,
    quantity: int,
    now: datetime,
    gift_name: str = "",
    gift_email: str = "",
    lock: bool = True,
    after_read: Hook = None,
) -> CartItem:
    """Hold `quantity` units of `variant` at `location` for the family (a visitor's guest
    family too: ProShop is open to visitors, docs/shop.md)."""
    if not family.is_guest:
        ensure_can_book(family)
    organization = family.organization
    product = variant.product
    if variant.organization_id != organization.pk or location.organization_id != organization.pk:
        raise BookingError(_("That product is not sold here."))
    if not (variant.is_active and product.is_active):
        raise BookingError(_("That product is no longer sold."))
    if not product.locations.filter(pk=location.pk).exists():
        raise BookingError(
            _("%(product)s is not sold at %(location)s.")
            % {"product": product.title, "location": location.name}
        )
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_UNITS:
        raise BookingError(_("Choose a quantity from 1 to %(max)s.") % {"max": MAX_UNITS})
    gift_name, gift_email = check_gift(gift_name, gift_email)
    with locked(Variant, [variant.pk], lock=lock):
        left = stock.units_left(variant.pk, location_id=location.pk, now=now)
        if after_read:
            after_read()
        if left < quantity:
            if left <= 0:
                raise BookingError(_("%(item)s is sold out.") % {"item": variant})
            raise BookingError(
                _("Only %(count)s of %(item)s left.") % {"count": left, "item": variant}
            )
        return CartItem.objects.create(
            organization=organization,
            family=family,
            kind=ItemKind.PRODUCT,
            variant=variant,
            quantity=quantity,
            location=location,
            gift_recipient_name=gift_name,
            gift_recipient_email=gift_email,
            added_at=now,
            expires_at=now + timedelta(minutes=hold_minutes(organization)),
        )


def is_still_open(item: CartItem, *, now: datetime) -> bool:
    if not (item.variant.is_active and item.variant.product.is_active):
        return False
    left = stock.units_left(item.variant_id, location_id=item.location_id, now=now)
    return left >= (item.quantity or 1)


def add_again(*, family, item: CartItem, now: datetime) -> CartItem:
    return add_product(
        family=family,
        variant=item.variant,
        location=item.location,
        quantity=item.quantity or 1,
        gift_name=item.gift_recipient_name,
        gift_email=item.gift_recipient_email,
        now=now,
    )

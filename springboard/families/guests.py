"""Visitors without an account who buy ProShop items or eGift Cards (docs/shop.md).

A visitor gets a *guest family*: a Family row with `is_guest=True`, the visitor's name, email
and phone, no guardian and so no login. The browser session remembers it, and the cart,
holds, orders and ledger then work exactly as for any family. A guest family can never be
logged into (families.services.family_for goes through a guardian's login), is left out of
staff's family lists by default, and a visitor sees no family page: those need a login.
"""

from springboard.families.models import Family, normalize_email_address


def create_guest_family(*, organization, name: str, email: str, phone: str) -> Family:
    return Family.objects.create(
        organization=organization,
        name=name.strip()[:120],
        email=normalize_email_address(email),
        mobile_phone=phone[:20],
        address_line1="",
        city="",
        postal_code="",
        is_guest=True,
    )


def update_guest_family(family: Family, *, name: str, email: str, phone: str) -> Family:
    """The visitor's details as typed last (the receipt goes to this email)."""
    family.name = name.strip()[:120]
    family.email = normalize_email_address(email)
    family.mobile_phone = phone[:20]
    family.save(update_fields=["name", "email", "mobile_phone"])
    return family

from springboard.booking.services import cart_summary
from springboard.portal.guests import guest_family
from springboard.portal.navigation import chrome
from springboard.tenancy.middleware import current_location, organization_locations


def cart_context(request) -> dict:
    """What the toolbar's cart badge shows (portal/_cart_badge.html): one query, whatever the
    cart holds (expired holds never count); none when the view has read the held items
    already and put their summary on the request (the cart page)."""
    family = getattr(request, "family", None) or guest_family(request)
    now = request.now
    cart = getattr(request, "cart_summary", None)
    if cart is None:
        cart = cart_summary(family, now) if family else {}
    return {
        "server_now": now,
        "cart_count": cart.get("count", 0),
        "cart_first_expiry": cart.get("first_expiry"),
    }


def portal(request) -> dict:
    """The chrome's data for pages under /<account>/: links, locations, current location."""
    organization = getattr(request, "organization", None)
    if organization is None:
        return {}
    return {
        **cart_context(request),
        "organization": organization,
        "portal_settings": organization.portal_settings,
        "nav": chrome(request),
        "locations": organization_locations(request),
        "current_location": current_location(request),
        "family": getattr(request, "family", None),
    }

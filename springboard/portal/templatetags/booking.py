from decimal import Decimal

from django import template

from springboard.catalog.availability import Openings

register = template.Library()

SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "GBP": "£", "EUR": "€"}


@register.simple_tag(takes_context=True)
def money(context, amount) -> str:
    """{% money course.tuition %}: the organization's currency, two decimals."""
    if amount is None:
        return ""
    currency = context["request"].organization.currency
    value = Decimal(amount).quantize(Decimal("0.01"))
    return f"{SYMBOLS.get(currency, currency + ' ')}{value:,}"


@register.simple_tag(takes_context=True)
def openings(context, capacity, taken, waitlist_allowed=False) -> str:
    """Openings as the organization shows them: a number, or OPEN/FULL."""
    display = context["request"].organization.portal_settings.openings_display
    return Openings(capacity, taken or 0, waitlist_allowed).label(display)

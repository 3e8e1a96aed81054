from decimal import Decimal

from django import template

from springboard.catalog.availability import Openings, course_openings

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


@register.simple_tag(takes_context=True)
def course_openings_of(context, course) -> Openings:
    """{% course_openings_of course as openings %}: the course's openings by the one rule
    (waiting families included), from the list's annotations: no query."""
    return course_openings(course, now=context["request"].now)


@register.simple_tag(takes_context=True)
def openings_label(context, openings: Openings) -> str:
    """{% openings_label openings %}: a number, or OPEN/FULL, as the organization shows them."""
    return openings.label(context["request"].organization.portal_settings.openings_display)

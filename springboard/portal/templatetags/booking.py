from django import template

from springboard.catalog.availability import Openings, course_openings
from springboard.core.money import format_money
from springboard.portal import course_cards

register = template.Library()


def _currency(context) -> str:
    """The organization's currency: the page's (request.organization) or, in an email
    rendered without a request, the `organization` in its context."""
    organization = context.get("organization")
    if organization is None:
        organization = context["request"].organization
    return organization.currency


@register.simple_tag(takes_context=True)
def money(context, amount) -> str:
    """{% money course.tuition %}: in the organization's currency, written the way the
    reader's language writes money (core.money.format_money: "$1,234.50", "1.234,50 €")."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency=_currency(context))


@register.simple_tag(takes_context=True)
def openings(context, capacity, taken, waitlist_allowed=False) -> str:
    """Openings as the organization shows them: a number, or OPEN/FULL."""
    display = context["request"].organization.portal_settings.openings_display
    return Openings(capacity, taken or 0, waitlist_allowed).label(display)


@register.simple_tag(takes_context=True)
def openings_badge(context, course) -> str:
    """{% openings_badge course %}: the card's openings badge (portal.course_cards), or the
    slot where the classes list puts it on each request when the card is cached."""
    return context.get("openings_slot") or course_cards.openings_badge(context["request"], course)


@register.simple_tag(takes_context=True)
def course_openings_of(context, course) -> Openings:
    """{% course_openings_of course as openings %}: the course's openings by the one rule
    (waiting families included), from the list's annotations: no query."""
    return course_openings(course, now=context["request"].now)


@register.simple_tag(takes_context=True)
def openings_label(context, openings: Openings) -> str:
    """{% openings_label openings %}: a number, or OPEN/FULL, as the organization shows them."""
    return openings.label(context["request"].organization.portal_settings.openings_display)

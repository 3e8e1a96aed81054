from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from springboard.portal import chrome_html

register = template.Library()

ICON_SPRITE = "vendor/bootstrap-icons/portal-icons.svg"


@register.simple_tag(takes_context=True)
def purl(context, name: str, *args, **kwargs) -> str:
    """{% purl 'portal:news_detail' item.pk %}: a portal URL for the request's organization."""
    account = context["request"].organization.account_name
    if kwargs:
        return reverse(name, kwargs={"account": account, **kwargs})
    return reverse(name, args=[account, *args])


@register.simple_tag(takes_context=True)
def portal_chrome(context) -> SafeString:
    """The toolbar, menu and location modal (portal/_chrome.html), cached as HTML per process
    for what they show, with this request's token, page and cart filled in."""
    return chrome_html.render(context)


@cache
def _sprite() -> str:
    with open(finders.find(ICON_SPRITE), encoding="utf-8") as sprite:
        return sprite.read()


@register.simple_tag
def icon_sprite() -> SafeString:
    """The vendored Bootstrap Icons subset, inlined once per page: `{% icon %}` refers to it,
    so icons cost no request (static/vendor/README.md)."""
    return mark_safe(_sprite())  # noqa: S308 (our own vendored file, not user input)


@register.simple_tag
def icon(name: str) -> SafeString:
    """{% icon "cart3" %}: a decorative icon; the control around it carries the name."""
    return format_html(
        '<svg class="sb-icon" aria-hidden="true" focusable="false" width="20" height="20">'
        '<use href="#bi-{}"></use></svg>',
        name,
    )

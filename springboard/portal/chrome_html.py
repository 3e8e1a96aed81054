"""The portal chrome's HTML, rendered once per process for what it shows (issue 17, item 3).

Every portal page renders the toolbar, the menu, the language switch and the location modal
(`portal/_chrome.html`): about a millisecond of template work for markup that is the same
for every family of an organization. It is rendered once for each key below and kept as HTML
with *slots* for what differs between two requests with the same key:
- the CSRF token of the page's forms (logout, language, location): the `{% csrf_token %}`
  tags render a marker, replaced by the tag's real output (so the cookie is set as before);
- the page to come back to (`next` of the language and location forms): `chrome_slots.next`;
- the toolbar's cart count and countdown (`portal/_cart_badge.html`, rendered per request).
A marker is a whole `<input …>` or an HTML comment with a per-process random part: escaped
text (an organization's name, a location's hours) can never contain one.

The key holds everything else the chrome reads: the links' key (`navigation._chrome_key`:
account, portal settings, login state, language, URL prefix and conf), every field of the
organization and of its locations, and the chosen location. A staff edit, a login or logout
and a language switch are therefore other keys: nothing to invalidate, in any worker. Nothing
of a family (name, cart, token, messages) is in the cached HTML; the current page is only in
the `next` slot (the chrome marks no link as active).
"""

import secrets

from django.template.loader import get_template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from springboard.portal.navigation import _chrome_key, field_values
from springboard.tenancy.middleware import current_location, organization_locations

TEMPLATE = "portal/_chrome.html"
CART_BADGE = "portal/_cart_badge.html"
_MARK = secrets.token_hex(8)
_CSRF_MARK = f"sb-chrome-csrf-{_MARK}"
_CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
_CSRF_SLOT = _CSRF_INPUT.format(_CSRF_MARK)
_NEXT_SLOT = f'<input type="hidden" name="next" value="<!--sb-chrome-next-{_MARK}-->">'
_NEXT_INPUT = '<input type="hidden" name="next" value="{}">'
_CART_SLOT = f"<!--sb-chrome-cart-{_MARK}-->"
_SLOTS = {
    "next": mark_safe(f"<!--sb-chrome-next-{_MARK}-->"),  # noqa: S308 (our marker)
    "cart": mark_safe(_CART_SLOT),  # noqa: S308 (our marker)
}

UNFILLED = "chrome_unfilled"
CART_CONTEXT = ("cart_count", "cart_first_expiry", "server_now")  # what the cart badge reads

_HTML: dict[tuple, str] = {}  # per process; the key holds all the HTML depends on
_ENTRIES = 256


def _key(context) -> tuple:
    request = context["request"]
    locations = context.get("locations") or []
    current = context.get("current_location")
    return (
        _chrome_key(request),
        repr(field_values(request.organization)),
        repr([field_values(location) for location in locations]),
        current.pk if current is not None else None,
    )


def _render(context) -> str:
    with context.push(csrf_token=_CSRF_MARK, chrome_slots=_SLOTS):
        return get_template(TEMPLATE).template.render(context)


def key_of(request) -> tuple:
    """The key of the chrome this request shows, without a template context (a page kept
    whole, portal/page_shell.py)."""
    return _key(
        {
            "request": request,
            "locations": organization_locations(request),
            "current_location": current_location(request),
        }
    )


def fill(html: str, *, request, token, cart: dict) -> str:
    """`html` (the chrome, or a whole page around it) with this request's slots filled in:
    the CSRF token (as {% csrf_token %} renders it: `token` is read, so the cookie is set),
    the page to come back to and the cart badge (`cart`: the portal context processor's
    cart_count, cart_first_expiry and server_now)."""
    if _CSRF_SLOT in html:
        token = str(token) if token else ""
        html = html.replace(
            _CSRF_SLOT, format_html(_CSRF_INPUT, token) if token and token != "NOTPROVIDED" else ""
        )
    if _NEXT_SLOT in html:
        html = html.replace(_NEXT_SLOT, _NEXT_INPUT.format(escape(request.get_full_path())))
    if _CART_SLOT in html:
        html = html.replace(_CART_SLOT, get_template(CART_BADGE).render(cart))
    return html


def render(context) -> SafeString:
    """The chrome for this request: the cached HTML with this request's slots filled in, or
    with its slots left for the page around it when that page is kept whole (`chrome_unfilled`
    in the context: portal/page_shell.py fills them)."""
    key = _key(context)
    html = _HTML.get(key)
    if html is None:
        if len(_HTML) >= _ENTRIES:
            _HTML.clear()
        html = _HTML[key] = _render(context)
    if not context.get(UNFILLED):
        cart = {name: context.get(name) for name in CART_CONTEXT}
        html = fill(html, request=context["request"], token=context.get("csrf_token"), cart=cart)
    return mark_safe(html)  # noqa: S308 (rendered by our templates; slots escaped in fill)

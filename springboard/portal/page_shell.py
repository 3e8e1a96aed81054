"""A portal page rendered whole once per process for what it shows, with slots for what is
each request's own (issue 17: the classes page's template and chrome were most of its cost).

A page kept this way is rendered with markers where a request's own parts go, and kept as
HTML per process under a key the view gives (everything the page's content depends on: for
the classes list, the kept page's key and versions, portal/classes_page.py) together with the
chrome's key (portal/chrome_html.py: the organization, its settings and locations, the login
state, the language). A request then fills in:
- the CSP nonce of the page's inline styles (read, so the header carries it);
- the chrome's slots: the CSRF token, the page to come back to, the cart badge;
- the view's own slots (`fill`: the classes list puts each card's openings in).
A request with messages to show is rendered as usual (messages are never kept), and so is
every page without a key.
"""

import secrets

from django.contrib.messages import get_messages
from django.middleware.csp import get_nonce
from django.template.context_processors import csrf
from django.template.loader import render_to_string
from django.utils.csp import CONTEXT_KEY as NONCE_CONTEXT_KEY

from springboard.portal import chrome_html
from springboard.portal.context_processors import cart_context

_NONCE_MARK = f"sb-page-nonce-{secrets.token_hex(8)}"
_HTML: dict[tuple, str] = {}  # per process; the key holds all the HTML depends on
_ENTRIES = 256


def _shell(request, template: str, context: dict, key: tuple) -> str:
    full_key = (key, template, request.path, chrome_html.key_of(request))
    html = _HTML.get(full_key)
    if html is None:
        marked = {**context, NONCE_CONTEXT_KEY: _NONCE_MARK, chrome_html.UNFILLED: True}
        html = render_to_string(template, marked, request)
        if len(_HTML) >= _ENTRIES:
            _HTML.clear()
        _HTML[full_key] = html
    return html


def page(request, template: str, context: dict, *, key: tuple) -> str | None:
    """The page's HTML with this request's nonce and chrome filled in and the view's own
    slots still in it (`context` renders them as markers), or None when it has messages to
    show: the view then renders the page as usual."""
    if get_messages(request):
        return None
    html = _shell(request, template, context, key)
    if _NONCE_MARK in html:
        html = html.replace(_NONCE_MARK, str(get_nonce(request)))
    token = csrf(request)["csrf_token"]  # lazy, as templates get it: read only for a form
    return chrome_html.fill(html, request=request, token=token, cart=cart_context(request))

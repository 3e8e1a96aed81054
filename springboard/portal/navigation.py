"""Which entries the portal chrome shows: toolbar, MENU, MORE and the dashboard tiles.

An entry shows only when its switch is on *and* its page exists. "Exists" is decided by the
URL conf: an entry names a portal URL, and until an issue adds that URL the entry stays hidden,
so the chrome never points at a dead page. Adding a page is adding its URL; the entry appears.
"""

from dataclasses import dataclass

from django.conf import settings as django_settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str
    switch: str | None = None  # a PortalSettings boolean that must be on
    logged_in: bool | None = None  # True: only logged in; False: only logged out


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str


REGISTER_LOGIN = Entry("register_login", _("Register/Login"), "login", logged_in=False)
HOME = Entry("home", _("Home"), "dashboard")
BOOKING = Entry("booking", _("Booking"), "booking")
MY_ACCOUNT = Entry("my_account", _("My Account"), "account")
NEWS = Entry("news", _("News"), "news")
PROSHOP = Entry("proshop", _("ProShop"), "proshop", switch="proshop_enabled")
EGIFT_CARDS = Entry("egift_cards", _("eGift Cards"), "egift_cards", switch="egift_cards_enabled")
STAFF_PAGE = Entry("staff_page", "", "staff_page", switch="staff_page_enabled")
FAMILY_POLICIES = Entry("family_policies", _("Family Policies"), "family_policies", logged_in=True)
STUDENT_POLICIES = Entry(
    "student_policies", _("Student Policies"), "student_policies", logged_in=True
)
LIVE = Entry("live", _("Live"), "live", switch="live_enabled", logged_in=True)
CART = Entry("cart", _("Cart"), "cart")
CREATE_ACCOUNT = Entry("create_account", _("Create Account"), "register", logged_in=False)
LOGIN = Entry("login", _("Login"), "login", logged_in=False)
FIND_THE_RIGHT_CLASS = Entry(
    "find_right_class",
    _("Find the Right Class"),
    "find_right_class",
    switch="find_right_class_enabled",
)
SWITCH_ORGANIZATIONS = Entry(
    "switch_organizations", _("Switch organizations"), "switch_organizations", logged_in=True
)

MENU = [REGISTER_LOGIN, HOME, BOOKING, MY_ACCOUNT, NEWS, PROSHOP, EGIFT_CARDS]
MORE = [STAFF_PAGE, EGIFT_CARDS, REGISTER_LOGIN, FAMILY_POLICIES, STUDENT_POLICIES, LIVE]
TOOLBAR = [NEWS, PROSHOP, MY_ACCOUNT, CART]
DASHBOARD = [BOOKING, MY_ACCOUNT, NEWS, PROSHOP, CREATE_ACCOUNT, LOGIN, FIND_THE_RIGHT_CLASS]


def _url(entry: Entry, account: str) -> str | None:
    try:
        return reverse(f"portal:{entry.url_name}", kwargs={"account": account})
    except NoReverseMatch:
        return None


def links(entries: list[Entry], request) -> list[Link]:
    organization = request.organization
    settings = organization.portal_settings
    logged_in = request.user.is_authenticated
    shown = []
    for entry in entries:
        if entry.switch and not getattr(settings, entry.switch):
            continue
        if entry.logged_in is not None and entry.logged_in != logged_in:
            continue
        url = _url(entry, organization.account_name)
        if url is None:
            continue
        label = settings.staff_page_title if entry is STAFF_PAGE else entry.label
        if entry is PROSHOP:
            label = settings.proshop_title or entry.label
        shown.append(Link(entry.key, str(label), url))
    return shown


def field_values(instance) -> tuple:
    """Every concrete field's value as loaded, for keys of what a page shows. Read from the
    instance's dict: through modeltranslation's descriptors each translated field cost a
    language lookup, on every page (docs/performance.md). The translations' own fields
    (`name_en`, `name_es`) are among the concrete fields, so every text is in the key."""
    loaded = instance.__dict__
    return tuple(loaded.get(field.attname) for field in instance._meta.concrete_fields)


def _chrome_key(request) -> tuple:
    """Everything the chrome's links depend on: the organization's account and portal
    settings (every field's value), the login state, the language and the URL prefix."""
    fields = repr(field_values(request.organization.portal_settings))
    return (
        request.organization.account_name,
        request.user.is_authenticated,
        get_language(),
        get_script_prefix(),
        get_urlconf() or django_settings.ROOT_URLCONF,
        fields,
    )


_CHROME: dict[tuple, dict] = {}  # per process; the key holds all it depends on
_CHROME_ENTRIES = 512


def chrome(request) -> dict[str, list[Link]]:
    """The chrome's links, computed once per organization settings, login state and language
    (issue 17, item 3: ~1 ms of reverse() on every page). Data, not HTML: the templates
    render it. No invalidation needed: a settings change is another key."""
    key = _chrome_key(request)
    found = _CHROME.get(key)
    if found is None:
        if len(_CHROME) >= _CHROME_ENTRIES:
            _CHROME.clear()
        found = _CHROME[key] = _chrome(request)
    return found


def _chrome(request) -> dict[str, list[Link]]:
    return {
        "menu": links(MENU, request),
        "more": links(MORE, request),
        "toolbar": {link.key: link for link in links(TOOLBAR, request)},
        "dashboard": links(DASHBOARD, request),
        "switch_organizations": links([SWITCH_ORGANIZATIONS], request),
    }

"""Ledger text as data: what a charge says is stored as a key and its arguments, and put into
words when it is read, in the reader's language (docs/billing.md, "Descriptions").

A charge posted while a family's browser spoke Spanish must read "January 2027" to an
English reader, so nothing language-dependent is frozen at write time: month names and
amounts are stored as values (`day()`, `amount()`), names as they are, smaller phrases as
nested texts (`text()`), lists as `joined()`. `Text.render()` looks the key up in `TEXTS`
and translates it then. The row's plain `description` keeps a rendering in the site's
language (for search and exports) and is what staff-entered text and rows
posted before structured text existed show.

Arguments are JSON values:
    "Maya", 3                                   as they are
    {"date": "2027-01-04", "format": "F Y"}     a date, formatted in the reader's language
    {"money": "100.00", "currency": "USD"}      an amount (core.money.format_money)
    {"text": KEY, "args": {...}}                a nested text
    {"join": " + ", "items": [...]}             several values joined
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from springboard.core.money import format_money

# Every text a ledger row can say. Keys are stored in rows: never rename or remove one (a
# row whose key is unknown shows its stored plain text); add a new key for new words.
# Plain strings are formats with nothing to translate. ngettext_lazy's last argument names
# the argument that chooses the plural.
TEXTS: dict[str, str | Promise] = {
    # classes
    "tuition_month": _("%(course)s%(who)s, %(month)s tuition"),
    "tuition_month_computation": _("%(left)s of %(all)s meetings in %(month)s × %(rate)s/month"),
    "tuition_term": _("%(course)s%(who)s, %(term)s tuition"),
    "tuition_term_partial_computation": _(
        "%(left)s of %(all)s meetings of %(term)s × %(rate)s/term"
    ),
    "tuition_term_computation": ngettext_lazy(
        "%(term)s, %(all)s meeting: %(rate)s/term",
        "%(term)s, %(all)s meetings: %(rate)s/term",
        "all",
    ),
    # events
    "event_whole": _("%(event)s%(who)s, whole event"),
    "event_whole_computation": ngettext_lazy(
        "Whole event, %(count)s day: %(price)s", "Whole event, %(count)s days: %(price)s", "count"
    ),
    "event_days": _("%(event)s%(who)s: %(days)s"),
    "event_days_computation": ngettext_lazy(
        "%(count)s day × %(price)s/day", "%(count)s days × %(price)s/day", "count"
    ),
    # parties
    "party": "%(package)s%(who)s, %(date)s",
    "party_deposit": _("%(party)s — deposit"),
    "party_balance": _("%(party)s — balance"),
    "party_package_price": _("Package %(price)s"),
    "party_extra_guests": ngettext_lazy(
        "%(count)s extra guest × %(price)s", "%(count)s extra guests × %(price)s", "count"
    ),
    "party_add_on": "%(name)s %(price)s",
    "party_breakdown": "%(parts)s = %(total)s",
    "party_deposit_computation": _("%(breakdown)s; deposit %(deposit)s due now"),
    "party_balance_computation": _("%(breakdown)s, less the deposit %(deposit)s; due on %(date)s"),
    # camp deposits (the rest due before the first day)
    "event_deposit": _("%(event)s — deposit"),
    "event_balance": _("%(event)s — balance"),
    "event_deposit_computation": _("%(price)s in all; deposit %(deposit)s due now"),
    "event_balance_computation": _(
        "%(price)s in all, less the deposit %(deposit)s; due on %(date)s"
    ),
    # registration fee
    "fee": "%(name)s%(who)s",
    "fee_computation": _("%(amount)s %(per)s, %(how)s"),
    "per_student": _("per student"),
    "per_family": _("per family"),
    "every_12_months": _("every 12 months"),
    "once": _("once"),
    # discounts (checkout/discounts.py): a discount line, and a charge with discounts taken
    "discount": "%(name)s%(who)s",
    "promo_code_name": _("Promo code %(code)s"),
    "discount_percent": "%(percent)s%%",
    "discount_computation": _("%(value)s off %(of)s"),
    "discount_taken": _("%(name)s: −%(amount)s"),
    "discounted_computation": "%(computation)s; %(discounts)s",
    # ProShop (docs/shop.md)
    "product": _("%(product)s — %(variant)s"),
    "product_computation": _("%(quantity)s × %(price)s; pick up at %(location)s"),
    "product_gift_computation": _(
        "%(quantity)s × %(price)s; a gift for %(recipient)s, to pick up at %(location)s"
    ),
    "sales_tax": _("Sales tax on %(product)s"),
    "sales_tax_computation": _("%(rate)s%% of %(amount)s"),
    # eGift Cards
    "gift_card": _("eGift Card for %(recipient)s"),
    "gift_card_computation": _("%(amount)s, credited as %(value)s"),
    "gift_card_plain_computation": _("%(amount)s"),
}


class UnknownText(LookupError):
    """A key that is not (or no longer) in TEXTS, or arguments that do not fit it."""


# --- building ----------------------------------------------------------------------------------
def day(value: date, format: str) -> dict:  # noqa: A002 - Django's name for a date format
    return {"date": value.isoformat(), "format": format}


def amount(value: Decimal, currency: str) -> dict:
    return {"money": str(value), "currency": currency}


def joined(separator: str, items: list) -> dict:
    return {"join": separator, "items": list(items)}


@dataclass(frozen=True)
class Text:
    """A key of TEXTS and its JSON arguments; put into words by render()."""

    key: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in TEXTS:
            raise UnknownText(self.key)

    def as_json(self) -> dict:
        return {"text": self.key, "args": dict(self.args)}

    def render(self) -> str:
        """In the active language."""
        return render(self.key, self.args)

    def in_site_language(self) -> str:
        """The plain text stored beside the key (settings.LANGUAGE_CODE)."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.render()


def text(key: str, **args) -> dict:
    """A nested text, as an argument of another."""
    return Text(key, args).as_json()


def stored(name: str, value: Text | None, plain: str) -> dict:
    """The three columns a row keeps for one text (`description`, `description_key`,
    `description_args`): the key and arguments, and the plain words in the site's language
    (or only the plain words, when there is no structured text)."""
    if value is None:
        return {name: plain, f"{name}_key": "", f"{name}_args": {}}
    return {
        name: value.in_site_language(),
        f"{name}_key": value.key,
        f"{name}_args": dict(value.args),
    }


def check(key: str, args: Mapping[str, Any] | None) -> None:
    """UnknownText unless `key` with `args` can be put into words (checked before posting)."""
    if key:
        render(key, args or {})


# --- reading -----------------------------------------------------------------------------------
def _value(value: Any) -> Any:
    if isinstance(value, Mapping):
        if "text" in value:
            return render(value["text"], value.get("args") or {})
        if "date" in value:
            return formats.date_format(date.fromisoformat(value["date"]), value["format"])
        if "money" in value:
            return format_money(Decimal(value["money"]), currency=value["currency"])
        if "join" in value:
            return str(value["join"]).join(str(_value(item)) for item in value["items"])
        raise UnknownText(f"not a text argument: {sorted(value)}")
    return value


def render(key: str, args: Mapping[str, Any]) -> str:
    """The text of `key` with its arguments, in the active language; UnknownText when the
    key is not known or the arguments do not fit."""
    try:
        template = TEXTS[key]
        return str(template % {name: _value(value) for name, value in args.items()})
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnknownText(key) from error


def discounts_taken(key: str, args: Mapping[str, Any] | None) -> list[str]:
    """The discounts a charge's "how it was computed" names (key `discounted_computation`),
    each in words ("Sibling discount — Leo: −$10.00"); [] for any other charge."""
    if key != "discounted_computation" or not args:
        return []
    try:
        return [str(_value(item)) for item in args["discounts"]["items"]]
    except (KeyError, TypeError, UnknownText):
        return []


def render_or(key: str, args: Mapping[str, Any] | None, fallback: str) -> str:
    """What a row shows: its structured text, or its stored plain text when it has none (staff
    wrote it, or it was posted before structured text) or the key is no longer known."""
    if not key:
        return fallback
    try:
        return render(key, args or {})
    except UnknownText:
        return fallback

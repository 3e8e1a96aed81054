"""Money: Decimal with two places, rounded half-up, and the checks every amount a person types
goes through. One helper for the whole project, so a cent is rounded the same way everywhere."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Round to cents, half-up (never banker's rounding). Floats are refused: they are not money."""
    if isinstance(value, float):
        raise TypeError("money() takes Decimal, int or str, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class AmountError(ValueError):
    """An amount a person typed or a caller passed is not a usable sum of money."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_amount(value: Decimal | int | str | None) -> Decimal:
    """A positive amount with at most two decimals, or AmountError with a readable message.

    Never rounds: "10.005" is refused rather than silently becoming 10.01.
    """
    if isinstance(value, float) or value is None or isinstance(value, bool):
        raise AmountError(_("Enter an amount, e.g. 25.00."))
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else value
        amount = Decimal(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise AmountError(_("Enter an amount, e.g. 25.00.")) from None
    if not amount.is_finite():
        raise AmountError(_("Enter an amount, e.g. 25.00."))
    if amount <= 0:
        raise AmountError(_("Enter an amount greater than zero."))
    if amount >= Decimal("1e10"):  # before quantize(), which cannot hold 40 digits
        raise AmountError(_("That amount is too large."))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise AmountError(_("Use at most two decimals (cents)."))
    return amount.quantize(CENT)


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code ("es", "en-us"), the active one by default;
    the site's language when Babel does not know it."""
    for code in (language or translation.get_language(), settings.LANGUAGE_CODE, "en"):
        if not code:
            continue
        try:
            return str(Locale.parse(translation.to_locale(code)))
        except (UnknownLocaleError, ValueError):
            continue
    return "en"


def format_money(amount: Decimal | int | str, *, currency: str, locale: str | None = None) -> str:
    """An amount in a currency, as the reader's language writes it (Babel, CLDR data):
    USD for an English reader "$1,234.50", EUR for a Spanish reader "1.234,50 €", USD for a
    Spanish reader "$1,234.50" (es_US: the currency's country, below).

    The one way money becomes text (template tag, emails, messages, ledger descriptions).
    `currency` is an ISO 4217 code (the organization's); `locale` defaults to the active
    language. Rounded half-up to cents first, like every amount."""
    return format_currency(money(amount), currency, locale=_money_locale(locale, currency))


def _money_locale(language: str | None, currency: str) -> str:
    """The reader's language as written in the currency's country, when CLDR has that variant:
    the ISO 4217 code starts with the country's code (USD: US, MXN: MX). A Spanish reader of a
    US business sees "$1,234.50" (es_US), as Spanish-speaking families in the US write it,
    not Spain's "1.234,50 US$"; EUR (no country) keeps the language's own way."""
    base = babel_locale(language)
    territory = (currency or "")[:2].upper()
    parsed = Locale.parse(base)
    if parsed.territory or not territory.isalpha():
        return base
    try:
        return str(Locale.parse(f"{parsed.language}_{territory}"))
    except (UnknownLocaleError, ValueError):
        return base

"""What a gift amount may be, and what it credits (settings' fixed amounts, min–max, bonus).

A typed amount is ASCII digits with at most two decimals ("25", "25.5", "25.50"), never "٣",
"1e3", "²" or forty nines: Decimal() itself would read some of those, so the shape is checked
first. Then core.money.parse_amount's rules (positive, not huge) and the organization's own.
"""

import re
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from springboard.core.money import ZERO, AmountError, format_money, money, parse_amount

SHAPE = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?", re.ASCII)
TOO_PRECISE = re.compile(r"[0-9]{1,9}\.[0-9]{3,20}", re.ASCII)


def parse_plain_amount(text) -> Decimal | None:
    """A positive amount with at most two decimals typed in ASCII digits, else None."""
    text = str(text or "").strip().removeprefix("$").strip()
    if not SHAPE.fullmatch(text):
        return None
    try:
        return parse_amount(text)
    except AmountError:
        return None


class GiftAmountError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_gift_amount(text, settings) -> Decimal:
    """The amount a buyer chose or typed, allowed by the organization's settings."""
    raw = str(text or "").strip().removeprefix("$").strip()
    if not raw:
        raise GiftAmountError(_("Choose or enter an amount."))
    if TOO_PRECISE.fullmatch(raw):
        raise GiftAmountError(_("Use at most two decimals (cents)."))
    amount = parse_plain_amount(raw)
    if amount is None:
        raise GiftAmountError(_("Enter an amount in numbers, e.g. 25 or 25.50."))
    if amount in settings.amounts:
        return amount
    currency = settings.organization.currency
    if settings.any_amount:
        if settings.minimum_amount <= amount <= settings.maximum_amount:
            return amount
        raise GiftAmountError(
            _("Choose an amount between %(min)s and %(max)s.")
            % {
                "min": format_money(settings.minimum_amount, currency=currency),
                "max": format_money(settings.maximum_amount, currency=currency),
            }
        )
    raise GiftAmountError(_("Choose one of the amounts offered."))


def bonus_for(amount: Decimal, settings) -> Decimal:
    """What is credited on top of `amount`: the multiplier's extra plus the fixed bonus for
    every full step bought (each rounded half-up to cents)."""
    bonus = money(amount * settings.bonus_multiplier) - amount
    if settings.bonus_step and settings.bonus_per_step:
        steps = (amount / settings.bonus_step).to_integral_value(rounding=ROUND_DOWN)
        bonus += money(steps * settings.bonus_per_step)
    return max(bonus, ZERO)


def credited(amount: Decimal, settings) -> Decimal:
    """ "What you're actually credited" for `amount`."""
    return amount + bonus_for(amount, settings)

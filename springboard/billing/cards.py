"""Recognising card numbers where they must never be: any free-text field of ours.

A form that finds one refuses the submit with `CARD_NUMBER_MESSAGE` (and does not echo the
value back), so a number pasted into "notes" never reaches a table or a log."""

import re

from django.utils.translation import gettext_lazy as _

CARD_NUMBER_MESSAGE = _(
    "This looks like a card number. Never type card numbers here: enter cards only in the "
    "secure card fields."
)
_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)")


def luhn_ok(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    """True when the text holds 12–19 digits (spaces or dashes between) passing Luhn."""
    for match in _CANDIDATE.finditer(text or ""):
        digits = re.sub(r"[ -]", "", match.group())
        if 12 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False

"""Reading ids and whole numbers out of posted or typed text: the one rule for every view.

`str.isdigit()` is not that rule: it accepts "²", "①" and other Unicode digits that `int()`
then refuses (a 500), and `int()` itself accepts "٣" (Arabic-Indic three), "+5", " 5 " and
"1_000". Here a number is ASCII digits only (one leading "-" where negatives are allowed),
of bounded length and within a given range; anything else is "not a number":

- `whole_number(text, minimum=, maximum=)` → the int, or None (the caller says why);
- `optional_id(text)` → a row id (1 … the largest BigAutoField value), or None;
- `parse_id(text)` → a row id, or `NotAnId`, an Http404: a crafted id changes nothing.
"""

from django.http import Http404

ASCII_DIGITS = frozenset("0123456789")
# The largest value of a BigAutoField (PostgreSQL bigint): 19 digits.
MAX_ID = 2**63 - 1
# Longer text is refused before any conversion, whatever the range.
MAX_NUMBER_LENGTH = 20


class NotAnId(Http404):
    """A posted or query-string id that is not one: the view answers 404."""


def ascii_digits(text: str) -> bool:
    """True when text is one or more of 0-9 and nothing else (no sign, space or "²")."""
    return bool(text) and set(text) <= ASCII_DIGITS


def whole_number(text, *, minimum: int = 0, maximum: int) -> int | None:
    """`text` (str or None, surrounding spaces ignored) as an int within [minimum, maximum]."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if len(text) > MAX_NUMBER_LENGTH:
        return None
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not ascii_digits(digits) or (negative and minimum >= 0):
        return None
    value = -int(digits) if negative else int(digits)
    return value if minimum <= value <= maximum else None


def optional_id(text) -> int | None:
    return whole_number(text, minimum=1, maximum=MAX_ID)


def parse_id(text) -> int:
    value = optional_id(text)
    if value is None:
        raise NotAnId("Not an id")
    return value

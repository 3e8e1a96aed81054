"""Recognising card numbers where they must never be: free text and log lines.

A candidate is 12–19 digits (spaces or dashes between) passing the Luhn check, so phone
numbers and order numbers are left alone."""

import re

from springboard.core.parsing import ascii_digits

_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)")


def luhn_ok(number: str) -> bool:
    if not ascii_digits(number):
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _card_digits(candidate: str) -> str | None:
    digits = re.sub(r"[ -]", "", candidate)
    return digits if 12 <= len(digits) <= 19 and luhn_ok(digits) else None


def contains_card_number(text: str) -> bool:
    return any(_card_digits(m.group()) for m in _CANDIDATE.finditer(text or ""))


def redact_card_numbers(text: str) -> str:
    def mask(match: re.Match) -> str:
        digits = _card_digits(match.group())
        return f"[card number removed …{digits[-4:]}]" if digits else match.group()

    return _CANDIDATE.sub(mask, text)

"""Card numbers where they must never be: any free-text field of ours.

A form that finds one (`contains_card_number`) refuses the submit with `CARD_NUMBER_MESSAGE`
and does not echo the value back, so a number pasted into "notes" never reaches a table or a
log."""

from django.utils.translation import gettext_lazy as _

from springboard.core.cardnumbers import contains_card_number, luhn_ok

CARD_NUMBER_MESSAGE = _(
    "This looks like a card number. Never type card numbers here: enter cards only in the "
    "secure card fields."
)

__all__ = ["CARD_NUMBER_MESSAGE", "contains_card_number", "luhn_ok"]

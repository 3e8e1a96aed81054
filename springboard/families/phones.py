"""Phone numbers are validated and stored in E.164 (+12175550140) with `phonenumbers`."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Numbers typed without a country code are read as this region's (the demo gyms are in the US).
DEFAULT_REGION = "US"


def normalize_phone(value: str, *, region: str = DEFAULT_REGION) -> str:
    """'' stays ''; anything else becomes E.164 or raises a ValidationError a family can read."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 40:
        raise ValidationError(_("Enter a phone number, e.g. (217) 555-0140."), code="phone")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a phone number, e.g. (217) 555-0140."), code="phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("That phone number does not exist."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

"""Who is buying, for a visitor without an account (ProShop and eGift Cards: docs/shop.md,
"Visitor checkout"): name, email (the receipt goes there) and phone. One set of fields, used
by the eGift Card form and by the product page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from springboard.portal.account_forms import EmailField, PhoneField, PortalFormMixin


def buyer_fields() -> dict[str, forms.Field]:
    fields = {
        "buyer_name": forms.CharField(label=_("Your name"), max_length=120),
        "buyer_email": EmailField(label=_("Your email"), help_text=_("Your receipt goes here.")),
        "buyer_phone": PhoneField(label=_("Your phone")),
    }
    for field in fields.values():
        widget = field.widget
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control".strip()
    return fields


def buyer_details(cleaned_data) -> dict[str, str]:
    """The keyword arguments of portal.guests.start_guest from a valid form's data."""
    return {
        "name": cleaned_data["buyer_name"],
        "email": cleaned_data["buyer_email"],
        "phone": cleaned_data["buyer_phone"],
    }


class GuestForm(PortalFormMixin, forms.Form):
    """The buyer's fields alone (the product page of a visitor not yet known)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(buyer_fields())

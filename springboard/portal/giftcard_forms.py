"""The eGift Cards forms: what to buy (and, for a visitor, who is buying) and a code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from springboard.core.money import format_money
from springboard.giftcards.amounts import credited
from springboard.giftcards.models import MAX_MESSAGE_LENGTH
from springboard.portal.account_forms import EmailField, PortalFormMixin
from springboard.portal.guest_forms import buyer_fields

OTHER = "other"


class GiftCardForm(PortalFormMixin, forms.Form):
    amount = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect)
    other_amount = forms.CharField(label=_("Any amount"), required=False, max_length=20)
    recipient_name = forms.CharField(label=_("Recipient's name"), max_length=120)
    recipient_email = EmailField(label=_("Recipient's email"))
    sender_name = forms.CharField(label=_("From (your name)"), max_length=120)
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deliver = forms.ChoiceField(
        label=_("Deliver"),
        choices=[("now", _("Now")), ("date", _("On a date"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    deliver_on = forms.DateField(
        label=_("Delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, settings, visitor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings
        currency = settings.organization.currency
        choices = []
        for value in settings.amounts:
            label = format_money(value, currency=currency)
            value_credited = credited(value, settings)
            if value_credited > value:
                label = _("%(amount)s (credited %(credited)s)") % {
                    "amount": label,
                    "credited": format_money(value_credited, currency=currency),
                }
            choices.append((str(value), label))
        if settings.any_amount:
            choices.append(
                (
                    OTHER,
                    _("Another amount (%(min)s – %(max)s)")
                    % {
                        "min": format_money(settings.minimum_amount, currency=currency),
                        "max": format_money(settings.maximum_amount, currency=currency),
                    },
                )
            )
        else:
            del self.fields["other_amount"]
        self.fields["amount"].choices = choices
        if choices:
            self.fields["amount"].initial = choices[0][0]
        limit = min(settings.message_max_length, MAX_MESSAGE_LENGTH)
        self.fields["message"].max_length = limit
        self.fields["message"].widget.attrs["maxlength"] = str(limit)
        self.fields["message"].validators.append(forms.CharField(max_length=limit).validators[0])
        self.fields["message"].help_text = _("At most %(count)s characters.") % {"count": limit}
        if visitor:
            self.fields.update(buyer_fields())

    def clean(self):
        data = super().clean()
        if data.get("amount") == OTHER:
            data["chosen_amount"] = data.get("other_amount", "")
        else:
            data["chosen_amount"] = data.get("amount", "")
        if data.get("deliver") == "date" and not data.get("deliver_on"):
            self.add_error("deliver_on", _("Choose the delivery date."))
        if data.get("deliver") != "date":
            data["deliver_on"] = None
        return data


class CodeForm(PortalFormMixin, forms.Form):
    code = forms.CharField(
        label=_("eGift Card code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("16 letters and digits, e.g. ABCD-EFGH-JKLM-NPQR."),
    )

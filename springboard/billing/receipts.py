"""The receipt of a payment a family made on the Payments page, however it was recorded: by
the page itself, or by the processor's webhook when the browser went away (one template,
in the family's language, sent after the ledger's transaction commits)."""

from django.utils.translation import gettext as _

from springboard.families.language import in_language_of
from springboard.families.mail import send_after_commit


def send_payment_receipt(organization, family, payment, charges) -> None:
    if not family.email:
        return
    with in_language_of(family):
        send_after_commit(
            "payment_receipt",
            to=family.email,
            subject=_("Your payment to %(org)s") % {"org": organization.name},
            context={
                "organization": organization,
                "family": family,
                "payment": payment,
                "charges": charges,
                "amount": payment.amount,
            },
        )

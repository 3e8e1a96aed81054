"""The gift card email, rendered in the worker: only the card's id is queued, and the code is
computed from its row there (giftcards.codes), never written into the task table."""

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from springboard.core import clock
from springboard.families.mail import send_email
from springboard.giftcards import codes
from springboard.giftcards.models import GiftCard


@task
@scopes_disabled()  # the worker: no request, no organization scope
def send_gift_card(*, card_id: int, language: str) -> None:
    card = GiftCard.objects.select_related("organization").filter(pk=card_id).first()
    if card is None:
        return
    organization = card.organization
    with translation.override(language):
        subject = _("%(sender)s sent you an eGift Card for %(name)s") % {
            "sender": card.sender_name,
            "name": organization.name,
        }
        context = {
            "card": card,
            "code": codes.code_for(card),
            "balance": card.balance(),
            "organization": organization,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "subject": subject,
        }
        text = render_to_string("giftcards/email/gift_card.txt", context)
        html = render_to_string("giftcards/email/gift_card.html", context)
    send_email.call(to=card.recipient_email, subject=subject, text=text, html=html)
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=clock.now())


def send_gift_card_after_commit(card: GiftCard) -> None:
    kwargs = {
        "card_id": card.pk,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    transaction.on_commit(lambda: send_gift_card.enqueue(**kwargs), robust=True)

"""Housekeeping of eGift Cards: email the cards whose delivery date has come (the worker
renders them). A card due today is queued once: the job marks it before queueing."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from springboard.core.housekeeping import register
from springboard.giftcards.models import GiftCard


def due_cards(now: datetime):
    # A delivery date is a calendar day where the organization is; a day's margin either side
    # of UTC is settled per card below.
    return GiftCard.objects.filter(
        Q(emailed_at__isnull=True),
        deliver_on__isnull=False,
        deliver_on__lte=(now + timedelta(days=1)).date(),
    ).select_related("organization")


def deliver_due_cards(now: datetime) -> int:
    from springboard.giftcards.services import local_today
    from springboard.giftcards.tasks import send_gift_card_after_commit

    sent = 0
    for card in due_cards(now):
        if card.deliver_on > local_today(card.organization, now):
            continue
        with transaction.atomic():
            marked = GiftCard.objects.filter(pk=card.pk, emailed_at__isnull=True).update(
                emailed_at=now
            )
            if marked:
                send_gift_card_after_commit(card)
                sent += 1
    return sent


@register("giftcards.deliver_due_cards")
def deliver_job(now: datetime) -> str:
    return f"queued {deliver_due_cards(now)} eGift Card emails"

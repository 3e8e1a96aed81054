"""Claims on charges being paid right now, so autopay and the family's own pay form never
charge a card for the same charge at once (docs/billing.md, "Autopay").

Both paths, before calling the gateway, take the family's ledger lock in a short transaction,
check that no *other* key holds a live claim on the charges, and claim them with their own
payment key; after the payment is applied they release the claim. The gateway call itself
stays outside any transaction. A claim left behind by a crash stops counting after
`CLAIM_MINUTES`. The same key (a double submit of one form) may claim again.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from springboard.billing.autopay_models import ChargeClaim
from springboard.billing.errors import LedgerError


class ChargeBeingPaid(LedgerError):
    """Another payment of one of these charges is under way (autopay, another page)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "This charge is being paid right now (by autopay or from another page). "
                "Reload the page in a minute to see the payment."
            )
        )


def live_claims(charge_ids: Iterable[int], *, now: datetime):
    return ChargeClaim.objects.filter(
        charge_id__in=list(charge_ids), released_at__isnull=True, expires_at__gt=now
    )


def check_unclaimed(charge_ids: Iterable[int], *, key: str, now: datetime) -> None:
    """Under the family's ledger lock: no other key is paying these charges. A test replaces
    it to show the double charge it prevents."""
    if live_claims(charge_ids, now=now).filter(~Q(key=key)).exists():
        raise ChargeBeingPaid()


def claim(*, organization, charge_ids: Iterable[int], key: str, now: datetime) -> None:
    """Under the family's ledger lock (the caller's transaction): claim the charges for key."""
    ids = sorted(set(charge_ids))
    check_unclaimed(ids, key=key, now=now)
    ChargeClaim.objects.bulk_create(
        ChargeClaim(
            organization=organization,
            charge_id=charge_id,
            key=key,
            claimed_at=now,
            expires_at=ChargeClaim.expiry(now),
        )
        for charge_id in ids
    )


def release(*, organization, key: str, now: datetime) -> None:
    with transaction.atomic():
        ChargeClaim.objects.filter(
            organization=organization, key=key, released_at__isnull=True
        ).update(released_at=now)

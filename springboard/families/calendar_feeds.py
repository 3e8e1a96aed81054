"""Calendar feed tokens: long, random-looking, stored only as a keyed hash.

A family's token is an HMAC-SHA256 of its organization, its id and a random per-feed nonce
under CALENDAR_FEED_KEY (a setting; SECRET_KEY when unset), written URL-safe (43
characters, 256 bits, like `secrets.token_urlsafe(32)`). The database holds the nonce and an
HMAC of the token, never the token: a leaked backup or replica gives no working feed URL, yet
My Account can show the family its URL again (it is derived where the page is rendered), so
adding a second phone does not mean resetting the first. A reset draws a new nonce, so the
old URL finds nothing (404). Rotating the key retires every feed URL at once.
"""

import base64
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from springboard.families.models import CalendarFeed, Family

# What a token can look like; anything else is answered 404 before any hashing or query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def _key() -> str:
    return getattr(settings, "CALENDAR_FEED_KEY", "") or settings.SECRET_KEY


def token_for(feed: CalendarFeed) -> str:
    digest = salted_hmac(
        "springboard.calendar-feed.token",
        f"{feed.organization_id}:{feed.family_id}:{feed.nonce}",
        secret=_key(),
        algorithm="sha256",
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(organization_id: int, token: str) -> str:
    return salted_hmac(
        "springboard.calendar-feed.hash",
        f"{organization_id}:{token}",
        secret=_key(),
        algorithm="sha256",
    ).hexdigest()


def feed_of(family: Family) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.for_organization(family.organization_id).filter(family=family).first()
    )


@transaction.atomic
def issue_feed(*, family: Family, now: datetime) -> CalendarFeed:
    """The family's feed with a new token: the first one, or a reset that kills the old URL."""
    feed = (
        CalendarFeed.objects.for_organization(family.organization_id)
        .select_for_update()
        .filter(family=family)
        .first()
    ) or CalendarFeed(organization_id=family.organization_id, family=family)
    feed.nonce = secrets.token_hex(32)
    feed.token_hash = hash_token(family.organization_id, token_for(feed))
    feed.created_at = now
    feed.save()
    return feed


def family_for_token(organization, token: str) -> Family | None:
    """The organization's family whose feed has this token, or None (malformed, reset,
    another organization's)."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    feed = (
        CalendarFeed.objects.for_organization(organization)
        .filter(token_hash=hash_token(organization.pk, token))
        .select_related("family")
        .first()
    )
    if feed is None:
        return None
    family = feed.family
    family.organization = organization  # one query less for whoever reads it
    return family

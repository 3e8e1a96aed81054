"""Issuing, reading and revoking API tokens (models.ApiToken): the raw token is returned once
and never stored."""

import hashlib
import secrets
from datetime import datetime, timedelta

from springboard.api.models import ApiToken

PREFIX = "sbt_"
MAX_LENGTH = 100  # a longer bearer value is not ours: refused before hashing
TOKENS_PER_LOGIN = 20  # the oldest go when a login asks for more (a phone per token)
LAST_USED_EVERY = timedelta(minutes=5)  # how often last_used_at is written


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(*, organization, user, name: str, now: datetime) -> tuple[ApiToken, str]:
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        user=user,
        key_hash=_digest(raw),
        name=name[:80],
        created_at=now,
    )
    stale = ApiToken.objects.filter(organization=organization, user=user).values_list(
        "pk", flat=True
    )[TOKENS_PER_LOGIN:]
    ApiToken.objects.filter(pk__in=list(stale)).delete()
    return token, raw


def find(*, organization, raw: str, now: datetime) -> ApiToken | None:
    """The organization's live token with this value (another organization's is None)."""
    if not raw or len(raw) > MAX_LENGTH or not raw.isascii():
        return None
    token = (
        ApiToken.objects.filter(organization=organization, key_hash=_digest(raw))
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()

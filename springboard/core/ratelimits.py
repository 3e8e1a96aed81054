"""Counting a request against django-ratelimit's counters (in Django's "default" cache), the
way the portal's limits are counted: sign-up and codes (families/ratelimits.py), gift codes
(giftcards/ratelimits.py) and promo codes (portal/views/checkout.py). The waiting room's page
and refresh count theirs in one round trip instead (waitingroom/ratelimit.py). When the cache
cannot be reached the limits are skipped and the error logged (fail open)."""

import logging
from collections.abc import Callable, Iterable

from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

Key = str | Callable  # django-ratelimit's key: "ip", or a callable (group, request) -> str


def wait_seconds(request, checks: Iterable[tuple[str, Key, str]]) -> int | None:
    """Count this request once for each (group, key, rate); the seconds to wait when it is over
    any of them, else None. Every counter is counted (a request over one limit still counts
    for the others)."""
    waits = []
    for group, key, rate in checks:
        try:
            usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        except (RedisError, OSError):
            logger.exception("Rate limits skipped: the cache did not answer")
            continue
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, usage["time_left"]))
    return max(waits) if waits else None

"""Guessing gift codes is limited (docs/shop.md): every code tried — on the balance page, at
checkout, or to move a card to credit — counts, per address and, when a family is known, per
family. django-ratelimit's counters in the default cache, as families.ratelimits."""

import logging

from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from springboard.families.throttle import client_ip

logger = logging.getLogger(__name__)

PER_ADDRESS = "20/h"
PER_FAMILY = "10/h"


def wait_seconds(request, *, family=None) -> int | None:
    """Count one code tried; the seconds to wait when over a limit, else None."""
    checks = [("gift-code:address", lambda _g, r: client_ip(r) or "0.0.0.0", PER_ADDRESS)]  # noqa: S104
    if family is not None:
        checks.append(("gift-code:family", lambda _g, _r: f"family-{family.pk}", PER_FAMILY))
    waits = []
    for group, key, rate in checks:
        try:
            usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        except (RedisError, OSError):
            logger.exception("Gift code limits skipped: the cache did not answer")
            continue
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, usage["time_left"]))
    return max(waits) if waits else None

"""Cheap per-address limits on the waiting page and its refresh (django-ratelimit's counter in
the cache, as springboard/families/ratelimits.py; no database). A page refreshes every few
seconds, so the limits leave room for a whole family's devices behind one address."""

import logging

from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

LIMITS = {"page": "60/m", "status": "120/m"}

logger = logging.getLogger(__name__)


def wait_seconds(request, action: str) -> int | None:
    try:
        usage = get_usage(
            request, group=f"waitingroom:{action}", key="ip", rate=LIMITS[action], increment=True
        )
    except (RedisError, OSError):
        logger.exception("Waiting room limits skipped: the cache did not answer")
        return None
    if usage is not None and usage["should_limit"]:
        return max(1, usage["time_left"])
    return None

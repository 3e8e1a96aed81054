"""Cheap per-address limits on the waiting page and its refresh. A page refreshes every few
seconds, so the limits leave room for a whole family's devices behind one address.

During an opening a thousand waiting pages refresh every few seconds, so the counter is
counted in one cache round trip (springboard.core.redis_cache.count: INCR and EXPIRE in one
Lua script on Redis; `add` then `incr` on local memory) instead of django-ratelimit's
`add`, EXISTS and INCRBY (springboard/core/ratelimits.py, the other limits' way). Windows as
django-ratelimit's: fixed, `period` seconds long, their end shifted per address (so the
windows of all addresses do not turn at once), IPv6 addresses counted by /64, the address
the one the other limits count (families.ratelimits.limited_address); Retry-After is the
seconds until the next window. When the cache cannot be reached the limit is skipped and the
error logged (fail open), as for every limit.
"""

import ipaddress
import logging
import zlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from springboard.core.redis_cache import count
from springboard.families.ratelimits import limited_address
from springboard.waitingroom.rules import PREFIX

logger = logging.getLogger(__name__)

# (requests, seconds): 60 a minute for the page, 120 for its refresh.
LIMITS = {"page": (60, 60), "status": (120, 60)}
EXPIRY_FUDGE = 5  # seconds a window's counter outlives it (django-ratelimit's margin)


def _counted_address(request) -> str:
    address = limited_address(request)
    if ":" in address:  # IPv6: one /64 is one household's network
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def window_end(address: str, period: int, *, now: datetime) -> int:
    """The end (a Unix time, the next window's first second) of the address's window now."""
    moment = int(now.timestamp())
    end = moment - moment % period + zlib.crc32(address.encode()) % period
    return end + period if end <= moment else end


def wait_seconds(request, action: str, *, now: datetime) -> int | None:
    """Count this request for `action`; the seconds to wait when it is over the limit, else
    None."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = LIMITS[action]
    address = _counted_address(request)
    end = window_end(address, period, now=now)
    key = f"{PREFIX}:limit:{action}:{address}:{end}"
    try:
        counted = count(cache, key, period + EXPIRY_FUDGE)
    except (RedisError, OSError):
        logger.exception("Rate limit skipped: the cache did not answer")
        return None
    if counted <= limit:
        return None
    return end - int(now.timestamp())  # at least 1: Retry-After, then a fresh window

"""Rate limits: the one rule every limit is counted by. Sign-up, codes and the sandbox
tokeniser (families/ratelimits.py), gift codes (giftcards/ratelimits.py), promo codes
(portal/views/checkout.py), the API (api/throttles.py) and the waiting room's page and
refresh (waitingroom/ratelimit.py) all call `wait_seconds`.

A limit is (group, key, rate). `group` names the counter ("signup:address"); `key` says whose
requests it counts: "ip", the client's address (the function settings.RATELIMIT_ADDRESS
names; IPv4 whole, IPv6 by its /64, one household's network), or a callable
(group, request) -> str (an email, a family, a token); `rate` is "count/period": "5/m",
"20/h", "100/5m" (s, m, h, d).

Windows are fixed, `period` seconds long, and end at a point that differs per key (crc32 of
the key's value), so the windows of all addresses do not turn at once; around a turn up to
twice a limit can pass. Over a limit the answer is the seconds to that window's end (the
Retry-After, at least 1). The rule reads no clock: the view passes the `now` it read.

Each limit costs one cache round trip (springboard.core.redis_cache.count: one Lua script on
this project's RedisCache, `add` then `incr` on any other cache) in Django's "default"
cache. The key's value is hashed before it reaches the cache (no email in Redis). When the
cache does not answer, the limits are skipped and the error logged (fail open): the
database's own limits (3 codes an hour per email, the login throttle) still hold.
`RATELIMIT_ENABLE = False` switches every limit off.
"""

import functools
import hashlib
import ipaddress
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

from springboard.core.redis_cache import count

logger = logging.getLogger(__name__)

Key = str | Callable  # "ip", or a callable (group, request) -> str
Check = tuple[str, Key, str]  # (group, key, rate)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
RATE = re.compile(r"(\d+)/(\d*)([smhd])")
EXPIRY_FUDGE = 5  # seconds a window's counter outlives the window


@functools.lru_cache(maxsize=128)
def parse_rate(rate: str) -> tuple[int, int]:
    """(count, seconds) of a rate "count/period": "5/m" is (5, 60), "10/h" (10, 3600),
    "100/5m" (100, 300). ValueError for anything else."""
    match = RATE.fullmatch(rate)
    if match is None or not int(match[2] or 1):
        raise ValueError(f"A rate is 'count/period' such as '5/m' or '10/h', not {rate!r}")
    return int(match[1]), int(match[2] or 1) * PERIODS[match[3]]


@functools.lru_cache(maxsize=8)
def _imported(path: str) -> Callable:
    return import_string(path)


def address(request) -> str:
    """The client's address as the limits count it: settings.RATELIMIT_ADDRESS's answer,
    IPv4 whole and IPv6 by its /64 (one household's network, whose hosts a script could
    otherwise walk through)."""
    found = _imported(settings.RATELIMIT_ADDRESS)(request)
    if ":" in found:
        return str(ipaddress.ip_network(f"{found}/64", strict=False).network_address)
    return found


def window_end(value: str, period: int, *, now: datetime) -> int:
    """The end (a Unix time, the next window's first second) of the window of the key
    `value` at `now`: fixed windows of `period` seconds, shifted per key."""
    moment = int(now.timestamp())
    end = moment - moment % period + zlib.crc32(value.encode()) % period
    return end + period if end <= moment else end


def _value(group: str, key: Key, request) -> str:
    if callable(key):
        return key(group, request)
    if key == "ip":
        return address(request)
    raise ValueError(f"A rate-limit key is 'ip' or a callable (group, request), not {key!r}")


def wait_seconds(request, checks: Iterable[Check], *, now: datetime) -> int | None:
    """Count this request once for each (group, key, rate); the seconds to wait when it is
    over any of them, else None. Every counter is counted (a request over one limit still
    counts for the others)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    checks = list(checks)
    moment = int(now.timestamp())
    waits = []
    for counted_so_far, (group, key, rate) in enumerate(checks):
        limit, period = parse_rate(rate)
        value = _value(group, key, request)
        end = window_end(value, period, now=now)
        digest = hashlib.sha256(f"{group}:{value}".encode()).hexdigest()[:32]
        try:
            counted = count(cache, f"rl:{group}:{period}:{digest}:{end}", period + EXPIRY_FUDGE)
        except (RedisError, OSError):
            # The others would wait for the same dead cache: skip them too.
            skipped = [skipped_group for skipped_group, _, _ in checks[counted_so_far:]]
            logger.exception(
                "%s skipped (%s): the cache did not answer",
                "Rate limits" if len(skipped) > 1 else "Rate limit",
                ", ".join(skipped),
            )
            break
        if counted > limit:
            waits.append(end - moment)
    return max(waits) if waits else None

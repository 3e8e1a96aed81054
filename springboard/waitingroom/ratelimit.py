"""Cheap per-address limits on the waiting page and its refresh. A page refreshes every few
seconds, so the limits leave room for a whole family's devices behind one address.

Counted by the rule every limit is counted by (springboard/core/ratelimits.py): fixed
windows shifted per address, IPv6 by /64, one cache round trip a count (during an opening a
thousand waiting pages refresh every few seconds), Retry-After the seconds to the window's
end, fail open when the cache does not answer.
"""

from datetime import datetime

from springboard.core import ratelimits
from springboard.waitingroom.rules import PREFIX

# 60 a minute for the page, 120 for its refresh.
LIMITS = {"page": "60/m", "status": "120/m"}


def wait_seconds(request, action: str, *, now: datetime) -> int | None:
    """Count this request for `action`; the seconds to wait when it is over the limit, else
    None."""
    return ratelimits.wait_seconds(request, [(f"{PREFIX}:{action}", "ip", LIMITS[action])], now=now)

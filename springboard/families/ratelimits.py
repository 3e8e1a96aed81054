"""Per-address and per-email limits on the requests that send email or cost work (sign-up, code
requests, resending a code, guardian invitations, the sandbox tokeniser); docs/accounts.md.

Counted by the rule every limit is counted by (core/ratelimits.py), in Django's cache
("default"): shared by every worker only when CACHE_URL names a Redis. A window is fixed (an
hour from a point that differs per key), so at most twice a limit can pass around the turn of
a window. Email keys are hashed before they reach the cache. The login has its own
table-backed throttle (throttle.py). A limited request changes nothing: the caller answers
429 before any work. When the cache cannot be reached the limits are skipped and the error
logged (fail open): the database's own limits (3 codes an hour per email, the login
throttle) still hold.
"""

from dataclasses import dataclass
from datetime import datetime

from springboard.core import ratelimits
from springboard.families.models import normalize_email_address
from springboard.families.throttle import client_ip


@dataclass(frozen=True)
class Limit:
    per_address: str  # "count/period", e.g. "20/h" (core.ratelimits.parse_rate)
    per_email: str | None = None


LIMITS = {
    "signup": Limit(per_address="20/h", per_email="5/h"),
    "code": Limit(per_address="20/h", per_email="5/h"),  # forgot password, change email
    "resend": Limit(per_address="20/h", per_email="5/h"),
    "invite": Limit(per_address="20/h", per_email="5/h"),
    "tokenise": Limit(per_address="30/h"),
}


def limited_address(request) -> str:
    """The address the limits count (settings.RATELIMIT_ADDRESS; core.ratelimits.address
    counts IPv6 by its /64)."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address


def wait_seconds(request, action: str, *, now: datetime, email: str | None = None) -> int | None:
    """Count this request for `action`; the seconds to wait when it is over a limit, else None.

    Both counters are counted (a request over one limit still counts for the other).
    """
    limit = LIMITS[action]
    checks = [(f"{action}:address", "ip", limit.per_address)]
    if email and limit.per_email:
        normalized = normalize_email_address(email)
        checks.append((f"{action}:email", lambda _group, _request: normalized, limit.per_email))
    return ratelimits.wait_seconds(request, checks, now=now)

"""The API's own rate limits, counted by the rule every limit is counted by
(core/ratelimits.py: fixed windows in the default cache, failing open).

Every API request counts against its address; a request with a token also against the token.
Over a limit: 429 with Retry-After, nothing done. The login behind token requests keeps the
portal's table-backed throttle (families/throttle.py) on top of this.
"""

from django.conf import settings

from springboard.api.errors import TooManyRequests
from springboard.core import ratelimits

DEFAULT_RATES = {"address": "300/m", "token": "120/m", "token_request": "20/h"}


def rates() -> dict[str, str]:
    return {**DEFAULT_RATES, **getattr(settings, "API_RATE_LIMITS", {})}


def check(request, *, token_request: bool = False) -> None:
    """Count this request at the moment the request read (request.now, the one clock);
    TooManyRequests when it is over a limit."""
    limits = rates()
    checks = [("api:address", "ip", limits["address"])]
    token = getattr(request, "api_token", None)
    if token is not None:
        checks.append(("api:token", lambda _group, _request: f"token:{token.pk}", limits["token"]))
    if token_request:
        checks.append(("api:token-request", "ip", limits["token_request"]))
    wait = ratelimits.wait_seconds(request, checks, now=request.now)
    if wait is not None:
        raise TooManyRequests(wait)

"""Guessing gift codes is limited (docs/shop.md): every code tried — on the balance page, at
checkout, or to move a card to credit — counts, per address and, when a family is known, per
family. django-ratelimit's counters in the default cache, as families.ratelimits."""

from springboard.core import ratelimits
from springboard.families.throttle import client_ip

PER_ADDRESS = "20/h"
PER_FAMILY = "10/h"


def wait_seconds(request, *, family=None) -> int | None:
    """Count one code tried; the seconds to wait when over a limit, else None."""
    checks = [("gift-code:address", lambda _g, r: client_ip(r) or "0.0.0.0", PER_ADDRESS)]  # noqa: S104
    if family is not None:
        checks.append(("gift-code:family", lambda _g, _r: f"family-{family.pk}", PER_FAMILY))
    return ratelimits.wait_seconds(request, checks)

"""Guessing gift codes is limited (docs/shop.md): every code tried — on the balance page, at
checkout, or to move a card to credit — counts, per address and, when a family is known, per
family. Counted by the rule every limit is counted by (core/ratelimits.py)."""

from datetime import datetime

from springboard.core import ratelimits

PER_ADDRESS = "20/h"
PER_FAMILY = "10/h"


def wait_seconds(request, *, now: datetime, family=None) -> int | None:
    """Count one code tried; the seconds to wait when over a limit, else None."""
    checks = [("gift-code:address", "ip", PER_ADDRESS)]
    if family is not None:
        checks.append(("gift-code:family", lambda _g, _r: f"family-{family.pk}", PER_FAMILY))
    return ratelimits.wait_seconds(request, checks, now=now)

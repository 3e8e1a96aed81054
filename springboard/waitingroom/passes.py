"""Signed tokens the browser carries (django.core.signing; nothing stored server-side).

- the waiter: a random id per browser (a cookie), so the queue needs no session or database;
- the ticket: which opening and arrival number a waiting page refreshes (in its status URL);
- the pass: organization, opening, waiter, arrival number and expiry (a cookie), shown with
  every booking action during the opening. The expiry is inside the signed value and checked
  against the caller's `now` (not signing's max_age, which reads the clock).
A pass that does not verify is no pass (the family is sent back to the queue); a genuine pass
of another organization is refused with a 404 (`OtherOrganization`).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing

from springboard.waitingroom.rules import Rush

WAITER_COOKIE = "sb_waiter"
PASS_COOKIE = "sb_pass"
WAITER_SALT = "springboard.waitingroom.waiter"
TICKET_SALT = "springboard.waitingroom.ticket"
PASS_SALT = "springboard.waitingroom.pass"


class OtherOrganization(Exception):
    """A genuine pass, but of another organization."""


def new_waiter() -> str:
    return secrets.token_urlsafe(16)


def sign_waiter(waiter: str) -> str:
    return signing.dumps(waiter, salt=WAITER_SALT)


def read_waiter(value: str | None) -> str | None:
    if not value:
        return None
    try:
        waiter = signing.loads(value, salt=WAITER_SALT)
    except signing.BadSignature:
        return None
    return waiter if isinstance(waiter, str) else None


def make_ticket(rush: Rush, *, number: int) -> str:
    return signing.dumps(
        {
            "o": rush.organization_id,
            "t": int(rush.opens_at.timestamp()),
            "n": number,
            "rate": rush.admissions_per_minute,
            "pass": rush.pass_minutes,
            "rush": rush.rush_minutes,
        },
        salt=TICKET_SALT,
        compress=True,
    )


@dataclass(frozen=True)
class Ticket:
    rush: Rush
    number: int


def read_ticket(value: str) -> Ticket | None:
    try:
        data = signing.loads(value, salt=TICKET_SALT)
        rush = Rush(
            organization_id=int(data["o"]),
            opens_at=datetime.fromtimestamp(int(data["t"]), tz=UTC),
            admissions_per_minute=int(data["rate"]),
            pass_minutes=int(data["pass"]),
            rush_minutes=int(data["rush"]),
        )
        return Ticket(rush, int(data["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def make_pass(rush: Rush, *, waiter: str, number: int, expires_at: datetime) -> str:
    return signing.dumps(
        {
            "o": rush.organization_id,
            "r": rush.key,
            "w": waiter,
            "n": number,
            "x": int(expires_at.timestamp()),
        },
        salt=PASS_SALT,
    )


def pass_is_valid(value: str | None, rush: Rush, *, waiter: str | None, now: datetime) -> bool:
    """True for this organization's unexpired pass to this opening held by this waiter.

    Raises OtherOrganization for a genuine pass of another organization."""
    if not value:
        return False
    try:
        data = signing.loads(value, salt=PASS_SALT)
        organization, key, holder, expires = data["o"], data["r"], data["w"], int(data["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    if organization != rush.organization_id:
        raise OtherOrganization
    return key == rush.key and holder == waiter and now.timestamp() < expires

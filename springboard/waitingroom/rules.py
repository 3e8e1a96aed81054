"""Admission to an opening: who waits, in which order, and who may book now.

All state lives in Django's default cache (Redis with CACHE_URL, so every worker shares it;
local memory in the demo and the tests), written only with the cache's atomic operations
(`add` writes only a missing key, `incr` counts up in one step), so two workers never hand
out the same arrival number, draw two lotteries or issue two passes for one ticket. Nothing
here touches the database, and nothing reads the clock: every function takes `now`.

An opening (a `Rush`) is one organization's registration opening moment; terms of the
organization opening at the same moment share it.
- A family that arrives takes an arrival number (1, 2, 3...).
- At the opening the lottery is drawn once: the arrivals before it get their places in a
  random order (`secrets.SystemRandom`); later arrivals come behind them in arrival order.
- Every `BATCH_SECONDS` from the opening a batch of at most rate/6 families is admitted: the
  lottery's places fill the first batches in line order; a later arrival takes a slot in the
  first batch at or after its arrival with room (`incr` of that batch's count), so places
  nobody took while the line was empty are not saved up for a burst of arrivals later.
- An admitted family gets one pass for its ticket, valid `pass_minutes`; once it has expired
  the ticket is spent and the family joins again at the back (never admitted twice).
"""

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache

BATCH_SECONDS = 10
PREFIX = "waitingroom"


@dataclass(frozen=True)
class Rush:
    organization_id: int
    opens_at: datetime
    admissions_per_minute: int
    pass_minutes: int
    rush_minutes: int = 60

    @property
    def key(self) -> str:
        return f"{self.organization_id}:{int(self.opens_at.timestamp())}"

    @property
    def batch_size(self) -> int:
        return max(1, math.ceil(self.admissions_per_minute * BATCH_SECONDS / 60))

    def cache_key(self, *parts) -> str:
        return ":".join([PREFIX, self.key, *map(str, parts)])

    def keep_seconds(self, now: datetime) -> int:
        """How long the opening's state is kept: past the rush and its last pass."""
        end = self.opens_at + timedelta(minutes=self.rush_minutes + self.pass_minutes + 60)
        return max(60, int((end - now).total_seconds()))


@dataclass(frozen=True)
class Standing:
    """Where an arrival stands at `now`."""

    number: int
    opens_in: int  # seconds until the opening (0 once open)
    drawn: bool  # the lottery has been drawn (the opening has passed)
    place: int | None  # 1 = first in line; None until the lottery is drawn
    ahead: int | None  # families still waiting in front
    wait_seconds: int | None  # until this family is admitted
    admitted: bool


def admitted_count(rush: Rush, *, now: datetime) -> int:
    """Places the lottery's batches have admitted by `now` (one batch at the opening, one
    more every BATCH_SECONDS); later arrivals' slots are their own (`batch_of`)."""
    if now < rush.opens_at:
        return 0
    return (current_batch(rush, now=now) + 1) * rush.batch_size


def current_batch(rush: Rush, *, now: datetime) -> int:
    """The batch admitted last by `now` (0 at the opening); -1 before it."""
    if now < rush.opens_at:
        return -1
    return int((now - rush.opens_at).total_seconds() // BATCH_SECONDS)


def _take_slot(rush: Rush, drawn: dict, *, number: int, now: datetime) -> None:
    """A later arrival's slot: the first batch from its arrival (and behind the lottery)
    with room, counted with `add` (the lottery's share of that batch as the start, which
    every worker computes alike) then `incr`, so no batch takes more than the rate. A hint
    of the first batch that may have room saves walking the full ones; it only speeds the
    walk, so a stale hint is harmless."""
    size = rush.batch_size
    keep = rush.keep_seconds(now)
    hint_key = rush.cache_key("open-batch")
    batch = max(current_batch(rush, now=now), drawn["early"] // size, cache.get(hint_key) or 0)
    while True:
        key = rush.cache_key("slots", batch)
        cache.add(key, max(0, min(size, drawn["early"] - batch * size)), keep)
        taken = cache.incr(key)
        if taken <= size:
            cache.set(rush.cache_key("batch", number), (batch, taken - 1), keep)
            return
        cache.set(hint_key, batch + 1, keep)
        batch += 1


def draw(rush: Rush, *, now: datetime) -> dict:
    """The lottery among everyone who arrived before the opening, drawn once (the first
    worker's `add` wins; the others read its draw)."""
    key = rush.cache_key("draw")
    drawn = cache.get(key)
    if drawn is not None:
        return drawn
    early = cache.get(rush.cache_key("arrivals")) or 0
    order = list(range(1, early + 1))
    secrets.SystemRandom().shuffle(order)
    places = [0] * early
    for place, number in enumerate(order):
        places[number - 1] = place
    cache.add(key, {"early": early, "places": places}, rush.keep_seconds(now))
    return cache.get(key)


def join(rush: Rush, *, waiter: str, now: datetime, family: str = "") -> int:
    """The waiter's arrival number: its own if it has one, else the next."""
    ticket_key = rush.cache_key("ticket", waiter)
    current = cache.get(ticket_key)
    if current is not None and not is_spent(rush, current, now=now):
        return current
    # Drawn before this late arrival counts, so it is not in it.
    drawn = draw(rush, now=now) if now >= rush.opens_at else None
    keep = rush.keep_seconds(now)
    counter = rush.cache_key("arrivals")
    cache.add(counter, 0, keep)
    number = cache.incr(counter)
    if current is not None:
        cache.set(ticket_key, number, keep)  # a spent ticket is replaced: back of the line
    elif not cache.add(ticket_key, number, keep):
        return cache.get(ticket_key)  # the same waiter twice at once: one number wins
    if drawn is not None and number > drawn["early"]:
        _take_slot(rush, drawn, number=number, now=now)
    cache.set(
        rush.cache_key("arrival", number),
        {"waiter": waiter, "family": family, "at": now.isoformat(), "early": now < rush.opens_at},
        keep,
    )
    return number


def place_of(rush: Rush, number: int, *, now: datetime) -> int | None:
    """0-based place in line; None before the lottery is drawn."""
    if now < rush.opens_at:
        return None
    return _place(draw(rush, now=now), number)


def _place(drawn: dict, number: int) -> int:
    if number <= drawn["early"]:
        return drawn["places"][number - 1]
    return number - 1


def _batch(rush: Rush, drawn: dict, number: int, place: int, slot) -> tuple[int, int]:
    """(batch, position in it): a later arrival's the slot it took; the lottery's places
    (and, in the instant of the draw, an arrival counted just after it) in line order."""
    if number > drawn["early"] and slot is not None:
        return tuple(slot)
    return divmod(place, rush.batch_size)


def standing(rush: Rush, number: int, *, now: datetime) -> Standing:
    if now < rush.opens_at:
        return standing_from(rush, number, now=now, drawn=None, slot=None)
    drawn = draw(rush, now=now)
    slot = cache.get(rush.cache_key("batch", number)) if number > drawn["early"] else None
    return standing_from(rush, number, now=now, drawn=drawn, slot=slot)


def standing_keys(rush: Rush, number: int) -> dict[str, str]:
    """The cache keys `standing_from` and `spent_from` are given the values of, so a caller
    that answers often (the refresh) can read them in one round trip (`cache.get_many`)."""
    return {
        "drawn": rush.cache_key("draw"),
        "slot": rush.cache_key("batch", number),
        "issued": rush.cache_key("pass", number),
    }


def standing_from(rush: Rush, number: int, *, now: datetime, drawn, slot) -> Standing:
    """`standing` from the values already read: the draw (None before the opening) and the
    arrival's slot (None when it took none)."""
    opens_in = max(0, math.ceil((rush.opens_at - now).total_seconds()))
    if now < rush.opens_at:
        return Standing(number, opens_in, False, None, None, None, False)
    place = _place(drawn, number)
    batch, position = _batch(rush, drawn, number, place, slot)
    current = current_batch(rush, now=now)
    batch_at = rush.opens_at + timedelta(seconds=batch * BATCH_SECONDS)
    wait = max(0, math.ceil((batch_at - now).total_seconds()))
    ahead = max(0, (batch - current - 1) * rush.batch_size + position)
    return Standing(number, opens_in, True, place + 1, ahead, wait, batch <= current)


def pass_expiry(
    rush: Rush, number: int, *, now: datetime, known: Standing | None = None
) -> datetime | None:
    """The ticket's pass expiry, issued once at its first ask after admission; None while
    the ticket is not admitted. `known`: its standing at `now` as the caller just read it
    (saves reading it again)."""
    if known is None or known.number != number:
        known = standing(rush, number, now=now)
    if not known.admitted:
        return None
    key = rush.cache_key("pass", number)
    expires = now + timedelta(minutes=rush.pass_minutes)
    if cache.add(key, expires.timestamp(), rush.keep_seconds(now)):
        return datetime.fromtimestamp(expires.timestamp(), tz=UTC)  # issued now
    return datetime.fromtimestamp(cache.get(key), tz=UTC)  # issued at an earlier ask


def is_spent(rush: Rush, number: int, *, now: datetime) -> bool:
    """The ticket's pass was issued and has expired: it admits nobody again."""
    return spent_from(cache.get(rush.cache_key("pass", number)), now=now)


def spent_from(issued: float | None, *, now: datetime) -> bool:
    """`is_spent` from the pass's expiry as read (None: no pass issued)."""
    return issued is not None and now.timestamp() >= issued


@dataclass(frozen=True)
class Arrival:
    number: int
    family: str
    arrived_at: str
    early: bool
    place: int | None
    state: str  # "waiting", "admitted", "spent"


def overview(rush: Rush, *, now: datetime, limit: int = 500) -> tuple[dict, list[Arrival]]:
    """For staff: counts, and the arrivals in line order (at most `limit`)."""
    total = cache.get(rush.cache_key("arrivals")) or 0
    numbers = list(range(1, min(total, limit) + 1))
    records = cache.get_many([rush.cache_key("arrival", n) for n in numbers])
    passes = cache.get_many([rush.cache_key("pass", n) for n in numbers])
    slots = cache.get_many([rush.cache_key("batch", n) for n in numbers])
    current = current_batch(rush, now=now)
    drawn = draw(rush, now=now) if now >= rush.opens_at else None
    rows = []
    for number in numbers:
        record = records.get(rush.cache_key("arrival", number))
        if record is None:
            continue
        place = _place(drawn, number) if drawn is not None else None
        if spent_from(passes.get(rush.cache_key("pass", number)), now=now):
            state = "spent"
        elif (
            place is not None
            and _batch(rush, drawn, number, place, slots.get(rush.cache_key("batch", number)))[0]
            <= current
        ):
            state = "admitted"
        else:
            state = "waiting"
        rows.append(Arrival(number, record["family"], record["at"], record["early"], place, state))
    rows.sort(key=lambda row: (row.place is None, row.place or 0, row.number))
    counts = {
        "arrived": total,
        "waiting": sum(row.state == "waiting" for row in rows),
        "admitted": sum(row.state == "admitted" for row in rows),
        "spent": sum(row.state == "spent" for row in rows),
    }
    return counts, rows

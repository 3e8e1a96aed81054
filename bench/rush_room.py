"""bench/rush.py with the waiting room on (RUSH_WAITING_ROOM=1, the default): registration
opens RUSH_OPENS_IN seconds after the clock starts; families arrive before it (and
RUSH_LATE of them in the RUSH_LATE_SECONDS after it), log in, look at the classes and a
class, follow its "Go to the waiting room", and wait there the way static/portal/
waitingroom.js does: ask the status URL min(15 s, time to the opening) apart before the
opening and 5 s apart after it, plus up to 2 s of jitter, honouring a 429's Retry-After
(10 s when absent) and 15 s after any other failure; admitted, switched off or spent, the
page is loaded again (it issues the pass) and the family goes back to its class and books.
A family still waiting when every seat is sold leaves (RUSH_STAY=1: waits to its turn).

The figures: the refreshes (count, latency, SQL queries: the bench-only header of
bench/querycount.py), each admitted step, admission to booking, bookings a minute from the
opening, and fairness from the line as the server keeps it (waitingroom.rules.overview).
"""

import html
import json
import math
import os
import random
import re
import time
from datetime import datetime

from bench.rush_families import (
    ACCOUNT,
    Browser,
    SentToWaitingRoom,
    Stats,
    book,
    log_in,
    open_courses,
)

OPENS_IN = float(os.environ.get("RUSH_OPENS_IN", "120"))
LATE = float(os.environ.get("RUSH_LATE", "0.2"))
LATE_SECONDS = float(os.environ.get("RUSH_LATE_SECONDS", "60"))
STAY = os.environ.get("RUSH_STAY", "0") == "1"

NOTICE = re.compile(r'data-testid="waiting-room-notice">.*?<a href="([^"]+)"', re.S)
CONTINUE = re.compile(r'href="([^"]+)"[^>]*data-testid="continue"')
NO_WAIT = re.compile(r'data-testid="no-wait">.*?<a class="[^"]*" href="([^"]+)"', re.S)
STATUS_URL = re.compile(r'data-status-url="([^"]+)"')
STATE = re.compile(r'data-state="([a-z]+)"')
OPENS = re.compile(r'data-testid="countdown" data-expires-at="([^"]+)"')


def arrivals(families: int) -> list[float]:
    """Seconds after the start at which each family arrives: most before the opening
    (in its first three quarters, so their waiting page is reached before it), RUSH_LATE
    of them after it; in random order of family number."""
    late = round(families * LATE)
    times = [random.uniform(0, OPENS_IN * 0.75) for _ in range(families - late)]  # noqa: S311
    times += [random.uniform(OPENS_IN, OPENS_IN + LATE_SECONDS) for _ in range(late)]  # noqa: S311
    random.shuffle(times)
    return times


def _ticket_number(status_url: str) -> int | None:
    from springboard.waitingroom import passes

    found = passes.read_ticket(status_url.rstrip("/").rsplit("/", 1)[-1])
    return found.number if found else None


# waitingroom.js's SPREAD: its turn's ask falls in the batch's 10 s (RUSH_SPREAD to try others).
SPREAD = float(os.environ.get("RUSH_SPREAD", "8"))


def pause(state: str, opens_at: float, wait: int | None = None) -> float:
    """waitingroom.js's pause before the next ask (its 0-2 s jitter added by the caller):
    before the opening until it plus up to SPREAD s (15 s at most); in line until the
    family's turn (`wait`) plus up to SPREAD s, 15 s at most."""
    if state == "before":
        return _spread_from(max(0, opens_at - time.time()))
    return 5 if wait is None else _spread_from(wait)


def _spread_from(moment: float) -> float:
    """waitingroom.js's spreadFrom: 15 s when `moment` is further, else it plus up to SPREAD."""
    return 15 if moment > 15 else max(1, moment + random.random() * SPREAD)  # noqa: S311


def wait(browser: Browser, stats: Stats, page: str, record: dict) -> str | None:
    """From a waiting page to the admitted page: the class page to go back to, or None
    when the family leaves (sold out while it waited)."""
    while True:
        found = CONTINUE.search(page) or NO_WAIT.search(page)
        if found:
            return html.unescape(found.group(1))
        status_url = STATUS_URL.search(page)
        if status_url is None:
            raise RuntimeError(f"a waiting page without a status URL: {page[:200]!r}")
        status_url = html.unescape(status_url.group(1))
        page_url = browser.last_url
        record.setdefault("number", _ticket_number(status_url))
        state = STATE.search(page).group(1)
        opens = OPENS.search(page)
        opens_at = datetime.fromisoformat(opens.group(1)).timestamp() if opens else 0

        delay = pause(state, opens_at)
        while True:
            time.sleep(delay + random.random() * 2)  # noqa: S311
            if stats.sold_out.is_set() and not STAY:
                return None
            browser.phase = "waiting: "
            status, _path, text, retry = browser.fetch(
                "refresh", status_url, headers={"Accept": "application/json"}
            )
            record["refreshes"] = record.get("refreshes", 0) + 1
            if status == 429:
                delay = float(retry or 10)
                continue
            if status != 200:
                delay = 15
                continue
            answer = json.loads(text)
            if answer.get("place"):
                record["place"] = answer["place"]
            if answer["state"] in ("admitted", "off", "spent"):
                record.setdefault("seen admitted", time.perf_counter())
                break
            delay = pause(answer["state"], opens_at, answer.get("wait"))
        browser.phase = ""
        _status, _path, page = browser.request("waiting page", page_url)


def family(base: str, number: int, stats: Stats, arrive: float, browser: Browser | None):
    """One family's evening with the waiting room on; counts its outcome."""
    record: dict = {}
    stats.families[number] = record
    outcome = "?"
    try:
        time.sleep(max(0.0, arrive - time.perf_counter()))
        record["arrived"] = time.perf_counter()
        if browser is None:
            browser = Browser(base, number, stats)
            browser.phase = "arriving: "
            if not log_in(browser, number):
                outcome = "login failed"
                return
        browser.phase = "arriving: "
        status, _path, page = browser.request("classes", f"/{ACCOUNT}/booking/classes/")
        courses = open_courses(page)
        if status != 200 or not courses:
            outcome = "all full" if status == 200 else f"classes {status}"
            return
        course = random.choice(courses)  # noqa: S311
        _status, _path, page = browser.request(
            "class page", f"/{ACCOUNT}/booking/classes/{course}/"
        )
        notice = NOTICE.search(page)
        first = f"/{ACCOUNT}/booking/classes/{course}/"
        if notice is not None:
            _status, _path, page = browser.request("waiting page", html.unescape(notice.group(1)))
            record["joined"] = time.perf_counter()
        else:
            page = None  # no waiting room now: book at once
        while True:
            if page is not None:
                back = wait(browser, stats, page, record)
                if back is None:
                    outcome = "left: sold out while waiting"
                    return
                first = back
            browser.phase = ""
            record.setdefault("admitted", time.perf_counter())
            try:
                outcome = book(browser, stats, first=first)
            except SentToWaitingRoom as sent:
                record["sent back"] = record.get("sent back", 0) + 1
                page = sent.page
                continue
            if outcome == "booked":
                record["booked"] = time.perf_counter()
            return
    except Exception as error:  # noqa: BLE001 - counted and shown
        outcome = f"error {type(error).__name__}"
    finally:
        with stats.lock:
            stats.outcomes[outcome] += 1


# --- the figures ---------------------------------------------------------------------------
def spearman(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None

    def ranks(values):
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        for rank, index in enumerate(order):
            result[index] = rank
        return result

    rx, ry = ranks(xs), ranks(ys)
    mean = (len(xs) - 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry, strict=True))
    var = sum((a - mean) ** 2 for a in rx)
    return cov / var if var else None


def line_of(opens_at, families: int):
    """The line as the server keeps it: (arrival number, in the lottery, 0-based place,
    admission batch) per arrival."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from springboard.tenancy.models import Organization
    from springboard.waitingroom import rules, services

    with scopes_disabled():
        room = services.room_of(Organization.objects.get(account_name=ACCOUNT))
    rush = services.rush_of(room, opens_at)
    _counts, rows = rules.overview(rush, now=timezone.now(), limit=families * 2 + 10)
    drawn = rules.draw(rush, now=rush.opens_at)
    line = []
    for row in rows:
        # Its wait as seen at the opening is its batch's time after it.
        at_opening = rules.standing(rush, row.number, now=rush.opens_at)
        batch = at_opening.wait_seconds // rules.BATCH_SECONDS
        line.append((row.number, row.number <= drawn["early"], row.place, batch))
    return line


def fairness(line, stats: Stats, opens_perf: float, batch_size: int) -> list[str]:
    from springboard.waitingroom.rules import BATCH_SECONDS

    lines = []
    early = [(n, place, batch) for n, in_draw, place, batch in line if in_draw]
    late = sorted((n, place, batch) for n, in_draw, place, batch in line if not in_draw)
    lines.append(
        f"the line: {len(line)} arrivals, {len(early)} before the opening (in the lottery), "
        f"{len(late)} after it"
    )
    rho = spearman([n for n, _p, _b in early], [place for _n, place, _b in early])
    if rho is not None:
        lines.append(
            f"lottery: rank correlation of arrival number with place among the early "
            f"arrivals {rho:+.3f} (a fair draw: near 0; |rho| < {2 / math.sqrt(len(early)):.2f}"
            f" is within two standard errors)"
        )
    out_of_order = sum(1 for a, b in zip(late, late[1:], strict=False) if b[2] < a[2])
    last_early = max((batch for _n, _p, batch in early), default=-1)
    behind = all(batch >= last_early for _n, _p, batch in late)
    per_batch: dict[int, int] = {}
    for _n, _in_draw, _p, batch in line:
        per_batch[batch] = per_batch.get(batch, 0) + 1
    lines.append(
        f"late arrivals: {out_of_order} admitted before an earlier arrival, "
        f"{'all' if behind else 'NOT all'} admitted no sooner than the lottery's last batch; "
        f"most admitted in one batch {max(per_batch.values(), default=0)} "
        f"(the rate allows {batch_size})"
    )
    # Who booked, by quarter of arrival among the early arrivals (fair: about equal).
    by_number = {r["number"]: r for r in stats.families.values() if r.get("number") is not None}
    if len(early) >= 4:
        quarter = math.ceil(len(early) / 4)
        ordered = sorted(early)
        shares = []
        for start in range(0, len(ordered), quarter):
            chunk = ordered[start : start + quarter]
            booked = sum(1 for n, _p, _b in chunk if "booked" in by_number.get(n, {}))
            shares.append(f"{booked / len(chunk):.0%}")
        lines.append(f"early arrivals who booked, by quarter of arrival: {', '.join(shares)}")
    # Families see their turn when the server admits their batch (plus the page's 0-10 s).
    batches = {n: batch for n, _in_draw, _place, batch in line}
    lags, seen = [], []
    for number, record in by_number.items():
        if "seen admitted" not in record or number not in batches:
            continue
        lags.append(record["seen admitted"] - (opens_perf + batches[number] * BATCH_SECONDS))
        seen.append((batches[number], record["seen admitted"]))
    if lags:
        lags.sort()
        rho = spearman([b for b, _ in seen], [t for _, t in seen])
        lines.append(
            f"turn seen by the family after its batch was admitted: p50 "
            f"{lags[len(lags) // 2]:.1f} s, max {lags[-1]:.1f} s (the page asks 0-10 s after its "
            f"turn is due); rank "
            f"correlation of batch with the moment seen {rho:+.3f} (1: seen in line order)"
        )
    return lines

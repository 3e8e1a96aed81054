"""Registration night: N families over HTTP going for S seats in K classes (issue 17, item 6).

    make bench-rush                       # or: .venv/bin/python bench/rush.py
    RUSH_FAMILIES=300 make bench-rush     # a shorter run
    RUSH_ADMIT_PER_MINUTE=150 make bench-rush   # another pace for the waiting room
    RUSH_WAITING_ROOM=0 make bench-rush   # no waiting room: every family at once
    RUSH_LOGIN=before make bench-rush     # families logged in before the clock starts
    RUSH_SERVER_TIMES=1 make bench-rush   # also each request's time inside the workers

Builds a fresh PostgreSQL database (`RUSH_DATABASE_URL`, default springboard_rush, copied
from a migrated template database; bench/rush_data.py), with one organization "rush": K
classes sharing S seats and N families each with a login, a confirmed email and one student.
Serves the project with gunicorn (RUSH_WORKERS sync workers, RUSH_THREADS threads each,
production settings plus a bench-only header counting each answer's SQL queries,
bench/querycount.py; Redis cache when RUSH_CACHE_URL or redis://127.0.0.1:6379/15 answers)
and drives every family the way a browser does: its own cookie jar and address
(X-Forwarded-For through a trusted proxy), the login page and login, the classes list, a
class with openings, add to cart, checkout, a card token from the sandbox gateway's
endpoint, pay, the confirmation. A 409 or 503 is retried after its Retry-After (1 s when
absent). A family whose class filled up picks another with openings; it gives up only when
the list shows none.

Two modes:
- RUSH_WAITING_ROOM=1 (the default: what a real rush uses). The organization's waiting room
  is on at RUSH_ADMIT_PER_MINUTE (default 1,200; blank: the model's default) and registration
  opens RUSH_OPENS_IN seconds (120) after the clock starts; families arrive before it, and RUSH_LATE
  of them (0.2) in the RUSH_LATE_SECONDS (60) after it, each in its own thread; they wait on
  the waiting page refreshing as its script does, are admitted by the lottery and book
  (bench/rush_room.py).
- RUSH_WAITING_ROOM=0: no waiting room, registration open; RUSH_CONCURRENCY (64) families
  at a time try to book at once.

Then it checks in SQL (bench/rush_data.py): classes oversold, seats unsold while a family
still wanted one, 5xx answers, payments per booking, the ledger balanced; and prints
p50/p95/p99 per step and the bookings per minute (with the waiting room: the waiting
families' refreshes apart, the admitted families' steps, admission to booking and the
lottery's fairness). Not a test and not run in CI; docs/performance.md records the figures.
"""

import os
import subprocess  # noqa: S404
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu_share, server_times  # noqa: E402
from bench.classes_page import environment, free_port  # noqa: E402
from bench.rush_data import (  # noqa: E402 - the database: built, loaded, checked in SQL
    CLASSES,
    DATABASE,
    FAMILIES,
    ROOM,
    SEATS,
    fresh_database,
    load_data,
    open_registration,
    room_settings,
    sql_checks,
)
from bench.rush_families import ACCOUNT, Browser, Stats, book, log_in  # noqa: E402

CONCURRENCY = int(os.environ.get("RUSH_CONCURRENCY", "64"))
# 3 on 2 cores: faster than 2 at 1,200 a minute (4 was slower, measured on older code; docs)
WORKERS = os.environ.get("RUSH_WORKERS", "3")
THREADS = os.environ.get("RUSH_THREADS", "1")
LOGIN = os.environ.get("RUSH_LOGIN", "during")  # or "before"
CACHE = os.environ.get("RUSH_CACHE_URL", "redis://127.0.0.1:6379/15")
SERVER_TIMES = os.environ.get("RUSH_SERVER_TIMES") == "1"  # bench/server_times.py
ACCESS_LOG = str(Path(__file__).resolve().parent.parent / "var" / "rush-access.log")
STEPS = (
    "login page",
    "login",
    "classes",
    "class page",
    "waiting page",
    "add",
    "checkout",
    "card token",
    "pay",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def redis_answers(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).flushdb()
    except Exception:  # noqa: BLE001 - no Redis: local memory per worker
        return False
    return True


class InProcess:
    """The in-process benches' recorder (bench/profile_booking.py, bench/room_refresh.py):
    each request through Django's test client with its CPU ms (time.process_time of this
    process: the server's cost, no network), SQL queries and status per step; pyinstrument
    for the step named by PROFILE, and that step's SQL once for PROFILE_SQL."""

    def __init__(self, *, interval: float) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._connection, self._capture = connection, CaptureQueriesContext
        self.wanted = os.environ.get("PROFILE", "")
        self.sql_step = os.environ.get("PROFILE_SQL", "")
        self.profiler = None
        if self.wanted:
            from pyinstrument import Profiler

            self.profiler = Profiler(interval=interval)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.queries: dict[str, list[int]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def run(self, client, step, path, *, method="get", data=None, measure=True, **extra):
        profiled = self.profiler is not None and measure and step == self.wanted
        with self._capture(self._connection) as captured:
            started = time.process_time()
            if profiled:
                self.profiler.start()
            call = getattr(client, method)
            response = call(path, data, **extra) if data is not None else call(path, **extra)
            if profiled:
                self.profiler.stop()
            spent = time.process_time() - started
        assert response.status_code < 500, (step, response.status_code)
        if not measure:
            return response
        if step == self.sql_step and not self.queries[step]:
            for query in captured.captured_queries:  # the step's SQL, once
                print(query["sql"][:300])
        self.cpu[step].append(spent * 1000)
        self.queries[step].append(len(captured.captured_queries))
        self.statuses[step][response.status_code] += 1
        return response

    def mean_cpu(self, step: str) -> float:
        return mean(self.cpu[step])

    def mean_queries(self, step: str) -> float:
        return mean(self.queries[step])

    def print_profile(self) -> None:
        if self.profiler is not None:
            every_frame = bool(os.environ.get("PROFILE_ALL"))
            print(self.profiler.output_text(unicode=True, color=False, show_all=every_frame))


def in_process(cache_url: str, *, cache_needed: bool, interval: float) -> InProcess:
    """The in-process benches' set-up: the production settings (bench environment), a fresh
    database loaded with bench/rush_data.py's organization, the Redis at `cache_url` when it
    answers (flushed; `cache_needed`: exit without it), Django set up; then the recorder."""
    env = environment()
    env.update(
        {
            "DATABASE_URL": DATABASE,
            "PORTAL_BASE_URL": "http://testserver",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL": "console",
        }
    )
    if redis_answers(cache_url):
        env["CACHE_URL"] = cache_url
    elif cache_needed:
        sys.exit(f"No Redis at {cache_url}: the waiting room's state needs a shared cache")
    os.environ.update(env)
    fresh_database(env)
    load_data()
    return InProcess(interval=interval)


def family(base: str, number: int, stats: Stats, browser: Browser | None = None) -> None:
    """RUSH_WAITING_ROOM=0: one family's try for a seat, at once (logging in first)."""
    outcome = "?"
    try:
        if browser is None:
            browser = Browser(base, number, stats)
            if not log_in(browser, number):
                outcome = "login failed"
                return
        outcome = book(browser, stats)
    except Exception as error:  # noqa: BLE001 - counted and shown
        outcome = f"error {type(error).__name__}"
    finally:
        with stats.lock:
            stats.outcomes[outcome] += 1


class LoadSampler:
    """The machine's 1-minute load average every 5 s while the families run, and every 2 s
    the CPU used by the load generator, the server, PostgreSQL and Redis (bench/cpu_share.py)."""

    def __init__(self, server_pid: int | None = None):
        import threading

        self.server_pid = server_pid
        self.samples = [os.getloadavg()[0]]
        self.cpu = [cpu_share.snapshot(server_pid)]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        ticks = 0
        while not self.stop.wait(2):
            self.cpu.append(cpu_share.snapshot(self.server_pid))
            ticks += 1
            if ticks % 5 == 0:
                self.samples.append(os.getloadavg()[0])

    def done(self) -> str:
        self.stop.set()
        self.thread.join()
        self.samples.append(os.getloadavg()[0])
        self.cpu.append(cpu_share.snapshot(self.server_pid))
        s = self.samples
        return f"load average (1 min) at the start {s[0]:.1f}, max {max(s):.1f}, end {s[-1]:.1f}"

    def cpu_between(self, start: float, end: float) -> str:
        return cpu_share.between(self.cpu, start, end)


def main() -> None:
    env = environment()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.rush_settings",
            "DATABASE_URL": DATABASE,
            "PORTAL_BASE_URL": "http://127.0.0.1",
            "TRUSTED_PROXIES": "127.0.0.1",
            "EMAIL": "console",
        }
    )
    if redis_answers(CACHE):
        env["CACHE_URL"] = CACHE
    elif ROOM:
        raise SystemExit(
            f"the waiting room needs the shared cache: no Redis at {CACHE} (RUSH_CACHE_URL), "
            "or run RUSH_WAITING_ROOM=0"
        )
    os.environ.update(env)
    print(f"loading {FAMILIES} families, {CLASSES} classes, {SEATS} seats …", flush=True)
    fresh_database(env)
    load_data()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = server_times.gunicorn_args(ACCESS_LOG) if SERVER_TIMES else []
    if SERVER_TIMES:
        Path(ACCESS_LOG).parent.mkdir(exist_ok=True)
        Path(ACCESS_LOG).unlink(missing_ok=True)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", WORKERS,
            "--threads", THREADS, "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            "--backlog", "2048", "--timeout", "120", *access_log,
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    stats = Stats()
    stats.seats = SEATS
    opens_at = None
    try:
        from bench.classes_page import wait_for

        wait_for(base + f"/{ACCOUNT}/login/")
        browsers: dict[int, Browser] = {}
        if LOGIN == "before":
            warm = Stats()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                for number in range(FAMILIES):
                    browsers[number] = Browser(base, number, warm)
                list(pool.map(lambda n: log_in(browsers[n], n), range(FAMILIES)))
            for browser in browsers.values():
                browser.stats = stats
        load = LoadSampler(server.pid)
        if ROOM:
            from bench import rush_room

            settings = room_settings()
            opens_at = open_registration(rush_room.OPENS_IN)
            started = time.perf_counter()
            opens_perf = started + (opens_at.timestamp() - time.time())
            print(
                f"go: {FAMILIES} families, login {LOGIN}; waiting room on, "
                f"{settings['rate']} admitted a minute; registration opens in "
                f"{opens_perf - started:.0f} s, {rush_room.LATE:.0%} of the families arrive "
                f"in the {rush_room.LATE_SECONDS:.0f} s after it",
                flush=True,
            )
            times = rush_room.arrivals(FAMILIES)
            with ThreadPoolExecutor(FAMILIES) as pool:
                for number in range(FAMILIES):
                    pool.submit(
                        rush_room.family, base, number, stats, started + times[number],
                        browsers.get(number),
                    )  # fmt: skip
        else:
            print(f"go: {FAMILIES} families, {CONCURRENCY} at a time, login {LOGIN}", flush=True)
            started = time.perf_counter()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                for number in range(FAMILIES):
                    pool.submit(family, base, number, stats, browsers.get(number))
        elapsed = time.perf_counter() - started
        load_figures = load.done()
    finally:
        server.terminate()
        server.wait(timeout=30)
    checks = sql_checks()
    heading(env)
    if ROOM:
        report_room(stats, started, opens_perf, opens_at, settings)
    else:
        print(f"{CONCURRENCY} families at a time, all at once (RUSH_WAITING_ROOM=0)")
        table(stats, STEPS)
        bookings(stats, started, "the start")
    report_checks(stats, checks, elapsed)
    aims(stats, checks, opens_perf if ROOM else started, load.samples)
    print(load_figures)
    if stats.booked_at:
        print(
            f"from {'the opening' if ROOM else 'the start'} to the last booking: "
            + load.cpu_between(opens_perf if ROOM else started, max(stats.booked_at))
        )
        if SERVER_TIMES:
            first = opens_perf if ROOM else started
            server_times.report(
                ACCESS_LOG, workers=int(WORKERS),
                since=server_times.wall(first - 1), until=server_times.wall(max(stats.booked_at)),
            )  # fmt: skip


def heading(env: dict) -> None:
    print(
        f"\n{FAMILIES} families, {CLASSES} classes, {SEATS} seats; gunicorn {WORKERS} workers x "
        f"{THREADS} threads; login {LOGIN}; "
        f"cache {'redis' if 'CACHE_URL' in env else 'local memory'}"
    )


def mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


def table(stats: Stats, steps, prefix: str = "", total: str | None = None) -> None:
    """p50/p95/p99 per step, the retries after 409/503, and per answer the mean SQL queries
    and server CPU ms (bench/querycount.py's headers, redirects included)."""
    print(
        f"  {'step':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'retried':>9}{'SQL':>7}{'CPU ms':>8}"
    )
    every = []
    for step in steps:
        values = stats.times.get(prefix + step, [])
        every += values
        queries, cpu = stats.queries.get(prefix + step, []), stats.cpu.get(prefix + step, [])
        if values:
            print(
                f"  {step:<14}{len(values):>9}{percentile(values, 0.5):>9.0f}"
                f"{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}"
                f"{stats.retries.get(prefix + step, 0):>9}{mean(queries):>7.1f}{mean(cpu):>8.1f}"
            )
    if total and every:
        print(
            f"  {total:<14}{len(every):>9}{percentile(every, 0.5):>9.0f}"
            f"{percentile(every, 0.95):>9.0f}{percentile(every, 0.99):>9.0f}"
        )


def server_cpu(stats: Stats, prefix: str = "", steps=None) -> float:
    """Server CPU seconds spent on the steps (all steps with the prefix when none named)."""
    return sum(
        sum(values) / 1000
        for step, values in stats.cpu.items()
        if step.startswith(prefix) and (steps is None or step[len(prefix) :] in steps)
    )


def bookings(stats: Stats, origin: float, label: str) -> None:
    booked = sorted(stats.booked_at)
    if not booked:
        print("\nbookings: none")
        return
    span = max(booked[-1] - origin, 1e-9)
    print(
        f"\nbookings: {len(booked)} in {span:.1f} s from {label} = "
        f"{len(booked) / span * 60:.0f} a minute; the first {booked[0] - origin:.1f} s after "
        f"{label}, the last {booked[-1] - origin:.1f} s after"
    )


def report_room(stats: Stats, started: float, opens_perf: float, opens_at, settings) -> None:
    import math

    from bench import rush_room
    from springboard.waitingroom.rules import BATCH_SECONDS

    rate = settings["rate"]
    batch = max(1, math.ceil(rate * BATCH_SECONDS / 60))
    print(
        f"waiting room on: {rate} families admitted a minute ({batch} every {BATCH_SECONDS} s), "
        f"pass {settings['pass']} min; registration opened {opens_perf - started:.0f} s after "
        f"the start; {rush_room.LATE:.0%} of the families arrived in the "
        f"{rush_room.LATE_SECONDS:.0f} s after it; waiting families "
        f"{'stay to their turn' if rush_room.STAY else 'leave once every seat is sold'}"
    )
    print("\narriving (before admission; logins of early arrivals come before the opening):")
    table(stats, ["login page", "login", "classes", "class page", "waiting page"], "arriving: ")
    refresh = stats.times.get("waiting: refresh", [])
    queries = stats.queries.get("waiting: refresh", [])
    refresh_cpu = stats.cpu.get("waiting: refresh", [])
    statuses = dict(sorted(stats.step_status["waiting: refresh"].items()))
    print("\nwaiting (the waiting page's refresh, /waiting-room/<ticket>/):")
    if refresh:
        print(
            f"  {len(refresh)} refreshes, p50 {percentile(refresh, 0.5):.0f} ms, p95 "
            f"{percentile(refresh, 0.95):.0f} ms, p99 {percentile(refresh, 0.99):.0f} ms; "
            f"by status {statuses}; SQL queries: {sum(queries)} in all, at most "
            f"{max(queries, default=0)} in one ({len(queries)} answers counted); server CPU "
            f"{mean(refresh_cpu):.1f} ms each"
        )
    print("\nadmitted families (every request from the waiting page that issues the pass on):")
    table(
        stats,
        ["waiting page", "class page", "classes", "add", "checkout", "card token", "pay"],
        total="all admitted",
    )
    bookings(stats, opens_perf, "the opening")
    capacity(stats, refresh, refresh_cpu)
    records = list(stats.families.values())
    to_book = sorted(r["booked"] - r["admitted"] for r in records if "booked" in r)
    waited = sorted(
        r["admitted"] - r["joined"] for r in records if "admitted" in r and "joined" in r
    )
    if to_book:
        print(
            f"admission to booking (turn seen to confirmation): p50 "
            f"{to_book[len(to_book) // 2]:.1f} s, p95 {to_book[int(0.95 * len(to_book))]:.1f} s, "
            f"max {to_book[-1]:.1f} s"
        )
    if waited:
        print(
            f"joining the line to the turn seen: p50 {waited[len(waited) // 2]:.1f} s, "
            f"max {waited[-1]:.1f} s ({len(waited)} families admitted)"
        )
    print("\nfairness (the line as the server keeps it):")
    try:
        for line in rush_room.fairness(
            rush_room.line_of(opens_at, FAMILIES), stats, opens_perf, batch
        ):
            print(f"  {line}")
    except Exception as error:  # noqa: BLE001 - the other figures still count
        print(f"  (not computed: {type(error).__name__}: {error})")


def capacity(stats: Stats, refresh, refresh_cpu) -> None:
    """What the admitted families' bookings and the waiting cost the server in CPU, and the
    booking rate two cores could carry at that cost (the bench's own client excluded)."""
    booked = len(stats.booked_at)
    if not booked:
        return
    admitted = server_cpu(stats, "", {"waiting page", "class page", "classes", "add", "checkout",
                                      "card token", "pay"})  # fmt: skip
    per_booking = admitted / booked
    waiting = sum(refresh_cpu) / 1000
    print(
        f"server CPU: {per_booking * 1000:.0f} ms per admitted family's booking (all its "
        f"requests from the pass to the confirmation, counting the full classes it tried); "
        f"waiting refreshes {waiting:.1f} s in all ({len(refresh)} x {mean(refresh_cpu):.1f} ms); "
        f"arriving {server_cpu(stats, 'arriving: '):.1f} s"
    )
    print(
        f"at that cost 2 cores, doing nothing else, would carry {120 / per_booking:.0f} bookings a "
        f"minute at 100 % CPU (and 1,000 families refreshing every ~6 s would take "
        f"{1000 / 6 * mean(refresh_cpu) / 1000 / 2:.0%} of them)"
    )


SATISFIED = ("booked", "all full", "left: sold out while waiting")
ADMITTED_STEPS = ("waiting page", "class page", "classes", "add", "checkout", "card token", "pay")


def aims(stats: Stats, checks: dict, origin: float, load: list[float]) -> None:
    """Issue 17's aims, each with the figure it is judged on."""
    every = [t for step in ADMITTED_STEPS for t in stats.times.get(step, [])]
    p95 = percentile(every, 0.95) if every else float("nan")
    booked = sorted(stats.booked_at)
    rate = len(booked) / max(booked[-1] - origin, 1e-9) * 60 if booked else 0
    fives = sum(count for status, count in stats.status.items() if status >= 500)
    balanced = checks["charged"] == checks["allocated"] <= checks["received"]
    wanted = any(outcome not in SATISFIED for outcome in stats.outcomes)
    seats = min(SEATS, FAMILIES)
    who = "admitted" if ROOM else "the"
    paid_once = checks["payments"] == checks["paid orders"]
    verdicts = [
        (f"sold out ({checks['sold']} of {seats})", checks["sold"] >= seats),
        (f"oversold {checks['oversold']}", checks["oversold"] == 0),
        (
            f"unsold while wanted {checks['unsold'] if wanted else 0}",
            not (wanted and checks["unsold"]),
        ),
        (f"5xx {fives}", fives == 0),
        (f"one payment per booking, ledger balanced: {balanced}", paid_once and balanced),
        (f"p95 of {who} families' booking requests {p95:.0f} ms <= 1000", p95 <= 1000),
        (f"bookings a minute {rate:.0f} >= 1000", rate >= 1000),
    ]
    print("\naims (issue 17):")
    for label, met in verdicts:
        print(f"  {'met    ' if met else 'NOT met'}  {label}")
    if ROOM:
        print("  (with the waiting room, bookings a minute can never exceed the admission rate)")
    if max(load) > 2.5:
        print(
            f"  (load average reached {max(load):.1f} on this machine: other work shared the "
            "cores, so the latency and rate figures are not the machine's capacity)"
        )


def report_checks(stats: Stats, checks: dict, elapsed: float) -> None:
    print(f"\nall families done after {elapsed:.1f} s")
    fives = sum(count for status, count in stats.status.items() if status >= 500)
    print(f"answers by status: {dict(sorted(stats.status.items()))}; 5xx: {fives}")
    print(f"families: {dict(sorted(stats.outcomes.items()))}")
    wanted = any(outcome not in SATISFIED for outcome in stats.outcomes)
    print(
        f"SQL: sold {checks['sold']}, oversold {checks['oversold']}, "
        f"unsold {checks['unsold']}{' while wanted' if wanted and checks['unsold'] else ''}, "
        f"paid orders {checks['paid orders']}, payments {checks['payments']} "
        f"({checks['payments'] / max(checks['paid orders'], 1):.2f} per booking), "
        f"idempotency keys paid twice {checks['keys paid twice']}"
    )
    charged, allocated = checks["charged"], checks["allocated"]
    balanced = charged == allocated and checks["received"] >= allocated
    print(
        f"ledger: charged {checks['charged']}, allocated {checks['allocated']}, received "
        f"{checks['received']} (credit {checks['received'] - checks['allocated']}): "
        f"{'balanced' if balanced else 'NOT balanced'}"
    )


if __name__ == "__main__":
    main()

"""RUSH_SERVER_TIMES=1: how long each request took inside a gunicorn worker, from gunicorn's
access log (`%(D)s`, microseconds), beside what the load generator saw (bench/rush.py).

The load generator's figure is the worker's time plus the wait for a free worker (and for the
load generator's own turn on the cores). When the two differ by far, the time goes to
queueing, and a cheaper request or more cores help, not a faster query. The access log costs
the workers some CPU (a write a request), so a run with it on is compared only with another
run with it on (docs/performance.md, "The waiting room's default rate, settled")."""

import re
import time
from collections import defaultdict
from datetime import UTC, datetime

FORMAT = "%(t)s %(m)s %(U)s %(s)s %(D)s"
_ID = re.compile(r"/\d+/")
_TICKET = re.compile(r"/waiting-room/[^/]+/$")


def gunicorn_args(path: str) -> list[str]:
    return ["--access-logfile", path, "--access-logformat", FORMAT]


def _route(method: str, path: str) -> str:
    path = _TICKET.sub("/waiting-room/<ticket>/", _ID.sub("/<id>/", path))
    return f"{method} {path}"


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))]


def wall(perf: float) -> datetime:
    """The moment (aware, UTC) that `time.perf_counter()` read as `perf`."""
    return datetime.fromtimestamp(time.time() - time.perf_counter() + perf, tz=UTC)


def report(path: str, *, workers: int, since: datetime, until: datetime) -> None:
    """Print each route's time in the worker from `since` to `until` (p50/p95/max, ms), and how
    many of the workers were busy on average in those seconds."""
    times: dict[str, list[float]] = defaultdict(list)
    busy = 0.0
    with open(path, encoding="utf-8") as log:
        for line in log:
            stamp, zone, method, url, _status, micros = line.split()
            at = datetime.strptime(f"{stamp} {zone}", "[%d/%b/%Y:%H:%M:%S %z]")
            if since <= at <= until:
                times[_route(method, url)].append(int(micros) / 1000)
                busy += int(micros) / 1e6
    seconds = max(1.0, (until - since).total_seconds())
    print(
        f"inside the workers (gunicorn's access log, from the opening to the last booking, "
        f"{seconds:.0f} s): {busy / seconds:.2f} of {workers} workers busy on average"
    )
    print(f"  {'route':<46}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for route, values in sorted(times.items(), key=lambda item: -len(item[1])):
        values.sort()
        print(
            f"  {route[:46]:<46}{len(values):>9}{_percentile(values, 0.5):>9.1f}"
            f"{_percentile(values, 0.95):>9.1f}{values[-1]:>9.1f}"
        )

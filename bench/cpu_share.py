"""Who used the machine's CPU in a stretch of a benchmark run: the load generator (this
process, all its threads), the server (gunicorn's master and workers), PostgreSQL, Redis and
everything else, read from /proc every couple of seconds (Linux only; bench only).

On a 2-core machine the load generator shares the cores with the server, so a rate or a
latency is the server's capacity only when the server had the cores to itself; this says how
far that held."""

import os
import time
from collections import defaultdict

TICKS = os.sysconf("SC_CLK_TCK")
GROUPS = ("load generator", "server", "PostgreSQL", "Redis", "other")


def _group(pid: int, ppid: int, comm: str, *, me: int, server: int | None) -> str:
    if pid == me:
        return "load generator"
    if server is not None and server in (pid, ppid):
        return "server"
    if comm.startswith("postgres"):
        return "PostgreSQL"
    if comm.startswith("redis"):
        return "Redis"
    return "other"


def snapshot(server: int | None) -> tuple[float, dict[str, float], float]:
    """(now, CPU seconds so far per group of the processes alive, idle seconds of all cores)."""
    me = os.getpid()
    used: dict[str, float] = defaultdict(float)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                data = stat.read()
        except OSError:
            continue  # gone meanwhile
        comm = data[data.index("(") + 1 : data.rindex(")")]
        fields = data[data.rindex(")") + 2 :].split()
        # After the name: state, ppid, …, utime (12th), stime (13th), in clock ticks.
        group = _group(int(entry.name), int(fields[1]), comm, me=me, server=server)
        used[group] += (int(fields[11]) + int(fields[12])) / TICKS
    with open("/proc/stat") as stat:
        cpu = stat.readline().split()  # "cpu user nice system idle iowait …"
    idle = (int(cpu[4]) + int(cpu[5])) / TICKS
    return time.perf_counter(), dict(used), idle


def between(samples: list, start: float, end: float) -> str:
    """The CPU each group used from `start` to `end` (perf_counter times), from the samples
    nearest outside that stretch."""
    before = [sample for sample in samples if sample[0] <= start] or samples[:1]
    after = [sample for sample in samples if sample[0] >= end] or samples[-1:]
    (t0, used0, idle0), (t1, used1, idle1) = before[-1], after[0]
    seconds = max(t1 - t0, 1e-9)
    cores = os.cpu_count() or 1
    parts = [
        f"{group} {(used1.get(group, 0.0) - used0.get(group, 0.0)) / seconds:.0%}"
        for group in GROUPS
    ]
    idle = (idle1 - idle0) / seconds
    return (
        f"CPU in those {seconds:.0f} s, as a share of one core "
        f"(the machine has {cores}: {cores:.0%}): " + ", ".join(parts) + f"; idle {idle:.0%}"
    )

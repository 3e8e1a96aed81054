"""Benchmark: the classes page against a bare Django view, same server and middleware.

    make bench                     # or: .venv/bin/python bench/classes_page.py
    DATABASE_URL=postgres://... BENCH_SECONDS=10 make bench
    BENCH_CACHE_URL= make bench   # local memory per worker instead of Redis (DB 11)

Loads (once) an organization "bench" with 2,000 courses over 10 locations into PostgreSQL,
serves the project with gunicorn (2 workers, production settings), and measures with wrk
requests/s and latency p50/p90/p99 of (a) a bare view and (b) the classes page with a
typical filter, at 8 and 64 connections. Not a test and not run in CI.
"""

import os
import re
import shutil
import socket
import subprocess  # noqa: S404
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://root@localhost:5432/springboard_catalog"
DEFAULT_CACHE = "redis://127.0.0.1:6379/11"
COURSES, LOCATIONS = 2000, 10
DATA_VERSION = "Bench Gym v2"  # change when load_data() changes: the rows are rebuilt
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = (8, 64)
CLASSES_URL = "/bench/booking/classes/?day=1&age=6"
BARE_URL = "/bench/bench/bare/"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    # Production settings share their cache in Redis (CACHE_URL); BENCH_CACHE_URL= (empty)
    # measures with each worker's local memory instead.
    cache_url = env.get("BENCH_CACHE_URL", DEFAULT_CACHE)
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": env.get("SECRET_KEY", "bench-only-" + "k" * 40),
            "DEBUG": "0",
            # The bench pays through the sandbox gateway, as a staging site may.
            "ALLOW_SANDBOX_GATEWAY": "1",
            "HTTPS": "0",
            # Production settings ask for the portal's address (links in email).
            "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1"),
            "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "springboard-bench-static"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def load_data() -> None:
    import django

    django.setup()
    from datetime import UTC, date, datetime, time
    from decimal import Decimal

    from django.core.management import call_command

    from springboard.catalog.models import Course, Program, Term
    from springboard.content.models import StaffProfile
    from springboard.tenancy.models import Location, Organization

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    org = Organization.objects.filter(account_name="bench").first()
    if org and org.name == DATA_VERSION:
        return
    if org:
        org.delete()
    org = Organization.objects.create(account_name="bench", name=DATA_VERSION)
    locations = [
        Location.objects.create(
            organization=org, name=f"Location {n}", address_line1=f"{n} Road", city="X", position=n
        )
        for n in range(LOCATIONS)
    ]
    programs = [
        Program.objects.create(organization=org, name=name)
        for name in ["Recreational Gymnastics", "Swim Lessons", "Ninja"]
    ]
    coaches = [StaffProfile.objects.create(organization=org, name=f"Coach {n}") for n in range(20)]
    term = Term.objects.create(
        organization=org,
        name="Bench term",
        start_date=date(2027, 1, 4),
        end_date=date(2099, 3, 27),
        enrollment_opens_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    courses = Course.objects.bulk_create(
        [
            Course(
                organization=org,
                program=programs[n % 3],
                term=term,
                location=locations[n % LOCATIONS],
                name=f"{programs[n % 3].name} {n}",
                start_time=time(9 + n % 10),
                end_time=time(10 + n % 10),
                min_age_years=(n // 7) % 12,
                max_age_years=(n // 7) % 12 + 3,
                capacity=4 + n % 8,
                tuition=Decimal("80.00"),
                **{days[(n // LOCATIONS) % 6]: True},
            )
            for n in range(COURSES)
        ]
    )
    through = Course.instructors.through
    through.objects.bulk_create(
        [through(course_id=c.pk, staffprofile_id=coaches[c.pk % 20].pk) for c in courses]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, deadline: float = 30) -> None:
    import urllib.request

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url}")


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run_wrk(url: str, connections: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    threads = str(min(connections, 2))
    subprocess.run(  # noqa: S603 (warm-up)
        [wrk, "-t", threads, "-c", str(connections), "-d", "2s", url],
        check=True,
        capture_output=True,
    )
    output = subprocess.run(  # noqa: S603
        [wrk, "-t", threads, "-c", str(connections), "-d", f"{SECONDS}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "90", "99"):
        result[f"p{percent}"] = to_ms(re.search(rf"\s{percent}%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    timeouts = re.search(r"timeout (\d+)", output)
    result["timeouts"] = float(timeouts.group(1)) if timeouts else 0.0
    return result


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    env = environment()
    if not env["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("the benchmark runs on PostgreSQL: set DATABASE_URL")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    from bench.rush_data import _database_name, _with_name, analyze

    url = env["DATABASE_URL"]  # created on a new machine (an error when it exists: ignored)
    createdb = ["createdb", "--maintenance-db", _with_name(url, "postgres"), _database_name(url)]
    subprocess.run(createdb, capture_output=True)  # noqa: S603,S607
    load_data()
    analyze()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + BARE_URL)
        wait_for(base + CLASSES_URL)
        rows = []
        for connections in CONNECTIONS:
            bare = run_wrk(base + BARE_URL, connections)
            page = run_wrk(base + CLASSES_URL, connections)
            rows.append((connections, bare, page))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\n{COURSES} courses over {LOCATIONS} locations; gunicorn 2 workers; wrk {SECONDS}s")
    print(f"classes page: {CLASSES_URL}")
    print(f"cache: {env.get('CACHE_URL') or 'local memory per worker'}\n")
    header = ["req/s", "p50 ms", "p90 ms", "p99 ms", "non-2xx", "timeouts"]
    print(f"{'conn':>4}  {'view':<13}" + "".join(f"{h:>9}" for h in header))
    for connections, bare, page in rows:
        for name, r in (("bare view", bare), ("classes page", page)):
            print(
                f"{connections:>4}  {name:<13}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p90']:>9.1f}"
                f"{r['p99']:>9.1f}{r['errors']:>9.0f}{r['timeouts']:>9.0f}"
            )
        print(f"{'':>4}  classes page / bare view throughput: {page['rps'] / bare['rps']:.0%}\n")
    print(f"took {time.monotonic() - started:.0f}s; load average {os.getloadavg()[0]:.1f}")
    print("(latencies of requests that timed out after wrk's 2 s are not in the percentiles)")


if __name__ == "__main__":
    main()

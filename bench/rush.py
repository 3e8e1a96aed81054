"""Registration night: N families over HTTP going for S seats in K classes (issue 17, item 6).

    make bench-rush                       # or: .venv/bin/python bench/rush.py
    RUSH_FAMILIES=200 RUSH_CLASSES=20 RUSH_SEATS=200 RUSH_CONCURRENCY=50 make bench-rush
    RUSH_LOGIN=before make bench-rush     # families logged in before the clock starts

Builds a fresh PostgreSQL database (`RUSH_DATABASE_URL`, default springboard_rush, copied
from a migrated template database), with one organization "rush": K classes sharing S seats
and N families each with a login, a confirmed email and one student. Serves the project with
gunicorn (RUSH_WORKERS sync workers, RUSH_THREADS threads each, production settings, Redis
cache when RUSH_CACHE_URL or redis://127.0.0.1:6379/15 answers) and drives every family the
way a browser does: its own cookie jar and address (X-Forwarded-For through a trusted proxy),
the login page and login, the classes list, a class with openings, add to cart, checkout,
a card token from the sandbox gateway's endpoint, pay, the confirmation. A 409 or 503 is
retried after its Retry-After (1 s when absent). A family whose class filled up picks another
with openings; it gives up only when the list shows none.

Then it checks in SQL: classes oversold, seats unsold while a family still wanted one, 5xx
answers, payments per booking, the ledger balanced; and prints p50/p95/p99 per step and the
bookings per minute. Not a test and not run in CI; docs/performance.md records the figures.
"""

import http.cookiejar
import os
import random
import re
import subprocess  # noqa: S404
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classes_page import environment, free_port  # noqa: E402

FAMILIES = int(os.environ.get("RUSH_FAMILIES", "1000"))
CLASSES = int(os.environ.get("RUSH_CLASSES", "20"))
SEATS = int(os.environ.get("RUSH_SEATS", "200"))
CONCURRENCY = int(os.environ.get("RUSH_CONCURRENCY", "64"))
WORKERS = os.environ.get("RUSH_WORKERS", "2")
THREADS = os.environ.get("RUSH_THREADS", "1")
LOGIN = os.environ.get("RUSH_LOGIN", "during")  # or "before"
DATABASE = os.environ.get("RUSH_DATABASE_URL", "postgres://root@localhost:5432/springboard_rush")
CACHE = os.environ.get("RUSH_CACHE_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "rush-night-password-42"  # noqa: S105 (bench data)
ACCOUNT = "rush"
VISA = "4242424242424242"
STEPS = (
    "login page",
    "login",
    "classes",
    "class page",
    "add",
    "checkout",
    "card token",
    "pay",
)


# --- the database ---------------------------------------------------------------------------
def _database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _with_name(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def fresh_database(env: dict) -> None:
    """A migrated template (migrate is a no-op when nothing changed), copied afresh."""
    name = _database_name(DATABASE)
    template = name + "_template"
    admin = _with_name(DATABASE, "postgres")
    psql = ["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(["createdb", "--maintenance-db", admin, template], capture_output=True)  # noqa: S603,S607
    migrate_env = {**env, "DATABASE_URL": _with_name(DATABASE, template)}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=migrate_env,
        check=True,
    )
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'], check=True)  # noqa: S603


def load_data() -> None:
    import django

    django.setup()
    from datetime import date, time, timedelta
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from springboard.catalog.models import Course, Program, Term
    from springboard.families.models import Family, Guardian, Student, User
    from springboard.tenancy.models import Location, Organization

    call_command("collectstatic", "--noinput", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    org = Organization.objects.create(account_name=ACCOUNT, name="Rush Gym")
    location = Location.objects.create(
        organization=org, name="Main gym", address_line1="1 Road", city="X", position=0
    )
    program = Program.objects.create(organization=org, name="Recreational Gymnastics")
    term = Term.objects.create(
        organization=org,
        name="Spring term",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=120),
        enrollment_opens_at=now - timedelta(days=1),
    )
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    Course.objects.bulk_create(
        [
            Course(
                organization=org,
                program=program,
                term=term,
                location=location,
                name=f"Gymnastics {n + 1}",
                start_time=time(9 + n % 10),
                end_time=time(10 + n % 10),
                min_age_years=0,
                max_age_years=99,
                capacity=SEATS // CLASSES + (1 if n < SEATS % CLASSES else 0),
                tuition=Decimal("80.00"),
                **{days[n % 6]: True},
            )
            for n in range(CLASSES)
        ]
    )
    password = make_password(PASSWORD)  # one hash for all: loading stays fast
    users = User.objects.bulk_create(
        [User(email=f"family{n}@rush.example", password=password) for n in range(FAMILIES)]
    )
    families = Family.objects.bulk_create(
        [
            Family(
                organization=org,
                name=f"The Family {n}",
                email=user.email,
                email_confirmed_at=now,
                address_line1="12 Elm Street",
                city="Springfield",
                postal_code="62701",
                mobile_phone="+12175550147",
            )
            for n, user in enumerate(users)
        ]
    )
    Guardian.objects.bulk_create(
        [
            Guardian(
                organization=org,
                family=family,
                user=user,
                first_name="Parent",
                last_name=str(n),
                email=user.email,
                is_primary=True,
            )
            for n, (family, user) in enumerate(zip(families, users, strict=True))
        ]
    )
    Student.objects.bulk_create(
        [
            Student(
                organization=org,
                family=family,
                first_name=f"Kid{n}",
                last_name=str(n),
                birth_date=date(today.year - 8, 5, 4),
                gender="female",
            )
            for n, family in enumerate(families)
        ]
    )


PER_COURSE = """
    SELECT c.capacity, (SELECT count(*) FROM booking_enrollment e
                        WHERE e.course_id = c.id AND e.status = 'active') AS sold
    FROM catalog_course c WHERE c.organization_id = %(org)s"""
SEATS_SQL = (
    "SELECT coalesce(sum(greatest(sold - capacity, 0)), 0), "
    "coalesce(sum(greatest(capacity - sold, 0)), 0), coalesce(sum(sold), 0) "
    "FROM (" + PER_COURSE + ") AS x"
)
PAYMENTS_SQL = """
    SELECT (SELECT count(*) FROM billing_payment
            WHERE organization_id = %(org)s AND status = 'succeeded'),
           (SELECT count(*) FROM checkout_order
            WHERE organization_id = %(org)s AND status = 'confirmed'),
           (SELECT count(*) FROM (SELECT idempotency_key FROM billing_payment
            WHERE organization_id = %(org)s GROUP BY idempotency_key
            HAVING count(*) > 1) AS d)"""
LEDGER_SQL = """
    SELECT (SELECT coalesce(sum(amount), 0) FROM billing_charge
            WHERE organization_id = %(org)s),
           (SELECT coalesce(sum(a.amount), 0) FROM billing_allocation a
            JOIN billing_charge c ON c.id = a.charge_id WHERE c.organization_id = %(org)s),
           (SELECT coalesce(sum(amount), 0) FROM billing_payment
            WHERE organization_id = %(org)s AND status = 'succeeded')"""


def sql_checks() -> dict:
    from django.db import connection

    def one(sql: str, params: dict):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    found = one("SELECT id FROM tenancy_organization WHERE account_name = %(a)s", {"a": ACCOUNT})
    org = {"org": found[0]}
    oversold, unsold, sold = one(SEATS_SQL, org)
    payments, paid_orders, double = one(PAYMENTS_SQL, org)
    charged, allocated, received = one(LEDGER_SQL, org)
    return {
        "sold": sold,
        "oversold": oversold,
        "unsold": unsold,
        "payments": payments,
        "paid orders": paid_orders,
        "keys paid twice": double,
        "charged": charged,
        "allocated": allocated,
        "received": received,
    }


# --- the families ---------------------------------------------------------------------------
class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.status = defaultdict(int)
        self.retries = defaultdict(int)
        self.booked_at: list[float] = []
        self.outcomes = defaultdict(int)

    def record(self, step: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[step].append(seconds)
            self.status[status] += 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One family's browser: a cookie jar, its own address, redirects followed."""

    def __init__(self, base: str, number: int, stats: Stats):
        self.base = base
        self.stats = stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, step: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL path, body); a 409/503 is retried after Retry-After."""
        body = None
        if data is not None:
            if path.startswith(f"/{ACCOUNT}/"):
                data = {**data, "csrfmiddlewaretoken": self.csrf()}
            body = urllib.parse.urlencode(data, doseq=True).encode()
        while True:
            request = urllib.request.Request(
                self.base + path, data=body, headers={"X-Forwarded-For": self.address}
            )
            started = time.perf_counter()
            try:
                with self.opener.open(request, timeout=120) as response:
                    status, url, text = response.status, response.url, response.read().decode()
                    retry = None
            except urllib.error.HTTPError as error:
                status, url, text = error.code, error.url, error.read().decode(errors="replace")
                retry = error.headers.get("Retry-After")
            self.stats.record(step, time.perf_counter() - started, status)
            if status in (409, 503):
                with self.stats.lock:
                    self.stats.retries[step] += 1
                time.sleep(float(retry or 1))
                continue
            return status, urllib.parse.urlsplit(url).path, text


def log_in(browser: Browser, number: int) -> bool:
    browser.request("login page", f"/{ACCOUNT}/login/?current=yes")
    status, path, _text = browser.request(
        "login",
        f"/{ACCOUNT}/login/",
        {"email": f"family{number}@rush.example", "password": PASSWORD, "keep_logged_in": "on"},
    )
    return status == 200 and path.endswith("/dashboard/")


OPEN_COURSE = re.compile(
    rf'href="/{ACCOUNT}/booking/classes/(\d+)/".*?data-testid="openings">([^<]*)<', re.S
)


def book(browser: Browser, stats: Stats) -> str:
    """One family's try for a seat; returns its outcome."""
    tried: set[int] = set()
    while True:
        status, _path, page = browser.request("classes", f"/{ACCOUNT}/booking/classes/")
        if status != 200:
            return f"classes {status}"
        open_ids = [
            int(pk) for pk, label in OPEN_COURSE.findall(page) if not label.startswith("FULL")
        ]
        if not open_ids:
            return "all full"
        candidates = [pk for pk in open_ids if pk not in tried] or open_ids
        course = random.choice(candidates)  # noqa: S311
        tried.add(course)
        status, _path, page = browser.request("class page", f"/{ACCOUNT}/booking/classes/{course}/")
        student = re.search(r'name="student" value="(\d+)"', page)
        if status != 200 or student is None:
            continue  # full meanwhile: no enrol form
        status, path, page = browser.request(
            "add", f"/{ACCOUNT}/cart/add/class/", {"course": course, "student": student.group(1)}
        )
        if status >= 500:
            return f"add {status}"
        if not path.endswith("/cart/"):
            continue  # refused (full): back to the list
        status, path, page = browser.request("checkout", f"/{ACCOUNT}/cart/checkout/start/", {})
        if status >= 500 or not path.endswith("/cart/checkout/"):
            return f"checkout {status} {path}"
        form = {
            name: re.search(rf'name="{name}" value="(\d+)"', page).group(1)
            for name in ("order", "attempt")
        }
        policies = re.findall(r'name="policy" value="(\d+)"', page)
        status, _path, token = browser.request(
            "card token",
            "/sandbox/gateway/tokens",
            {
                "merchant": ACCOUNT,
                "kind": "card",
                "number": VISA,
                "exp_month": "12",
                "exp_year": "2099",
                "cvc": "123",
            },
        )
        found = re.search(r'"token":\s*"([^"]+)"', token)
        if status != 201 or found is None:
            return f"token {status}"
        status, path, page = browser.request(
            "pay",
            f"/{ACCOUNT}/cart/checkout/",
            {**form, "method": "card", "payment_token": found.group(1), "policy": policies},
        )
        if status == 200 and re.search(rf"/{ACCOUNT}/orders/\d+/$", path):
            with stats.lock:
                stats.booked_at.append(time.perf_counter())
            return "booked"
        return f"pay {status} {path}"


def family(base: str, number: int, stats: Stats, browser: Browser | None = None) -> None:
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


def main() -> None:
    env = environment()
    env.update(
        {
            "DATABASE_URL": DATABASE,
            "PORTAL_BASE_URL": "http://127.0.0.1",
            "TRUSTED_PROXIES": "127.0.0.1",
            "EMAIL": "console",
        }
    )
    if redis_answers(CACHE):
        env["CACHE_URL"] = CACHE
    os.environ.update(env)
    print(f"loading {FAMILIES} families, {CLASSES} classes, {SEATS} seats …", flush=True)
    fresh_database(env)
    load_data()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", WORKERS,
            "--threads", THREADS, "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            "--backlog", "2048", "--timeout", "120",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    stats = Stats()
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
        print(f"go: {FAMILIES} families, {CONCURRENCY} at a time, login {LOGIN}", flush=True)
        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for number in range(FAMILIES):
                pool.submit(family, base, number, stats, browsers.get(number))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    checks = sql_checks()
    report(stats, checks, elapsed, started, env)


def report(stats: Stats, checks: dict, elapsed: float, started: float, env: dict) -> None:
    print(
        f"\n{FAMILIES} families, {CLASSES} classes, {SEATS} seats; gunicorn {WORKERS} workers x "
        f"{THREADS} threads; {CONCURRENCY} families at a time; login {LOGIN}; "
        f"cache {'redis' if 'CACHE_URL' in env else 'local memory'}"
    )
    print(f"{'step':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'retried':>9}")
    for step in STEPS:
        values = stats.times.get(step, [])
        if values:
            print(
                f"{step:<12}{len(values):>9}{percentile(values, 0.5):>9.0f}"
                f"{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}"
                f"{stats.retries.get(step, 0):>9}"
            )
    booked = sorted(stats.booked_at)
    if booked:
        span = max(booked[-1] - started, 1e-9)
        print(f"\nbookings: {len(booked)} in {span:.1f} s = {len(booked) / span * 60:.0f} a minute")
        sold_out = booked[-1] - started
        print(f"first booking after {booked[0] - started:.1f} s; last after {sold_out:.1f} s")
    print(f"all families done after {elapsed:.1f} s")
    fives = sum(count for status, count in stats.status.items() if status >= 500)
    print(f"answers by status: {dict(sorted(stats.status.items()))}; 5xx: {fives}")
    print(f"families: {dict(sorted(stats.outcomes.items()))}")
    wanted = any(outcome != "booked" and outcome != "all full" for outcome in stats.outcomes)
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
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

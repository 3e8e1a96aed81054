"""bench/rush.py's families: one browser each (cookie jar, own address, redirects followed),
the login and one try for a seat. Every answer's time, status and SQL query count (the
bench-only header of bench/querycount.py) is recorded under its step."""

import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

ACCOUNT = "rush"
PASSWORD = "rush-night-password-42"  # noqa: S105 (bench data)
VISA = "4242424242424242"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.queries = defaultdict(list)
        self.cpu = defaultdict(list)
        self.status = defaultdict(int)
        self.step_status = defaultdict(lambda: defaultdict(int))
        self.retries = defaultdict(int)
        self.booked_at: list[float] = []
        self.outcomes = defaultdict(int)
        self.families: dict[int, dict] = {}  # the waiting room's figures, per family
        self.sold_out = threading.Event()
        self.seats = 0

    def record(self, step: str, seconds: float, status: int, cost) -> None:
        """`cost`: (SQL queries, server CPU ms) of the step's answers, None when unknown."""
        with self.lock:
            self.times[step].append(seconds)
            self.status[status] += 1
            self.step_status[step][status] += 1
            if cost is not None:
                self.queries[step].append(cost[0])
                self.cpu[step].append(cost[1])

    def booked(self) -> None:
        with self.lock:
            self.booked_at.append(time.perf_counter())
            if self.seats and len(self.booked_at) >= self.seats:
                self.sold_out.set()


class Counted(urllib.request.HTTPRedirectHandler):
    """Follows redirects as a browser does, adding up the bench headers of every answer on
    the way, so a step's figures are those of all its requests."""

    def __init__(self):
        self.queries = 0
        self.cpu = 0.0

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.add(headers)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def add(self, headers) -> None:
        self.queries += int(headers.get("X-Bench-Queries") or 0)
        self.cpu += float(headers.get("X-Bench-CPU-ms") or 0)


class Browser:
    """One family's browser: a cookie jar, its own address, redirects followed. `phase` is
    put before the step names it records ("" once admitted)."""

    def __init__(self, base: str, number: int, stats: Stats):
        self.base = base
        self.stats = stats
        self.phase = ""
        self.last_url = ""  # path and query of the last answer (after redirects)
        self.jar = http.cookiejar.CookieJar()
        self.counted = Counted()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self.counted
        )
        self.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def fetch(self, step: str, path: str, body: bytes | None = None, headers=None):
        """(status, final URL path, body, Retry-After) of one request, recorded."""
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"X-Forwarded-For": self.address, **(headers or {})},
        )
        self.counted.queries, self.counted.cpu = 0, 0.0
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                status, url, text = response.status, response.url, response.read().decode()
                retry, headers = None, response.headers
        except urllib.error.HTTPError as error:
            status, url, text = error.code, error.url, error.read().decode(errors="replace")
            retry, headers = error.headers.get("Retry-After"), error.headers
        seconds = time.perf_counter() - started
        counted = "X-Bench-Queries" in headers
        self.counted.add(headers)
        parts = urllib.parse.urlsplit(url)
        self.last_url = parts.path + (f"?{parts.query}" if parts.query else "")
        self.stats.record(
            self.phase + step,
            seconds,
            status,
            (self.counted.queries, self.counted.cpu) if counted else None,
        )
        return status, parts.path, text, retry

    def request(self, step: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL path, body); a 409/503 is retried after Retry-After."""
        body = None
        if data is not None:
            if path.startswith(f"/{ACCOUNT}/"):
                data = {**data, "csrfmiddlewaretoken": self.csrf()}
            body = urllib.parse.urlencode(data, doseq=True).encode()
        while True:
            status, path_now, text, retry = self.fetch(step, path, body)
            if status in (409, 503):
                with self.stats.lock:
                    self.stats.retries[self.phase + step] += 1
                time.sleep(float(retry or 1))
                continue
            return status, path_now, text


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
WAITING_ROOM = "/waiting-room/"


def open_courses(page: str) -> list[int]:
    return [int(pk) for pk, label in OPEN_COURSE.findall(page) if not label.startswith("FULL")]


class SentToWaitingRoom(Exception):  # noqa: N818 - not an error: where the family is now
    def __init__(self, page: str):
        self.page = page


def book(browser: Browser, stats: Stats, first: str | None = None) -> str:
    """One family's try for a seat, from the classes list (or from the class page `first`,
    where the waiting room sends an admitted family back); returns its outcome. Raises
    SentToWaitingRoom when adding leads to the waiting page (no pass, or it expired)."""
    tried: set[int] = set()
    while True:
        if first is not None:
            status, _path, page = browser.request("class page", first)
            course = int(re.search(r"/classes/(\d+)/", first).group(1))
            first = None
        else:
            status, _path, page = browser.request("classes", f"/{ACCOUNT}/booking/classes/")
            if status != 200:
                return f"classes {status}"
            open_ids = open_courses(page)
            if not open_ids:
                return "all full"
            candidates = [pk for pk in open_ids if pk not in tried] or open_ids
            course = random.choice(candidates)  # noqa: S311
            status, _path, page = browser.request(
                "class page", f"/{ACCOUNT}/booking/classes/{course}/"
            )
        tried.add(course)
        student = re.search(r'name="student" value="(\d+)"', page)
        if status != 200 or student is None:
            continue  # full meanwhile: no enrol form
        status, path, page = browser.request(
            "add", f"/{ACCOUNT}/cart/add/class/", {"course": course, "student": student.group(1)}
        )
        if status >= 500:
            return f"add {status}"
        if path.endswith(WAITING_ROOM):
            raise SentToWaitingRoom(page)
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
            stats.booked()
            return "booked"
        return f"pay {status} {path}"

"""Where a booking's server time goes: the rush flow in process, per request (issue 17, item 3).

    .venv/bin/python bench/profile_booking.py               # CPU ms and queries per request
    PROFILE="pay" .venv/bin/python bench/profile_booking.py # + pyinstrument of that step

Builds a fresh PostgreSQL database like `make bench-rush` (`PROFILE_DATABASE_URL`, default
springboard_profile; enough seats for every family), then runs the booking flow of
PROFILE_FAMILIES families (after a few to warm up) through Django's test client with the
production settings and middleware (no network, no test instrumentation), and prints each
request's mean CPU time (time.process_time of this one process: the server's cost) and SQL
queries. With PROFILE set to a step name it prints pyinstrument's tree for that step.
"""

import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault(
    "RUSH_DATABASE_URL",
    os.environ.get("PROFILE_DATABASE_URL", "postgres://root@localhost:5432/springboard_profile"),
)
FAMILIES = int(os.environ.get("PROFILE_FAMILIES", "40"))
WARM_UP = 5
os.environ["RUSH_FAMILIES"] = str(FAMILIES + WARM_UP)
os.environ.setdefault("RUSH_CLASSES", "20")
os.environ["RUSH_SEATS"] = str((FAMILIES + WARM_UP) * 2)
# The booking path alone: registration open, no waiting room (bench-rush's default has one,
# and a family without a pass is sent to it instead of adding).
os.environ["RUSH_WAITING_ROOM"] = "0"

from bench import rush, rush_families  # noqa: E402


def main() -> None:
    env = rush.environment()
    env.update(
        {
            "DATABASE_URL": rush.DATABASE,
            "PORTAL_BASE_URL": "http://testserver",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL": "console",
        }
    )
    cache = os.environ.get("PROFILE_CACHE_URL", "redis://127.0.0.1:6379/14")
    if rush.redis_answers(cache):
        env["CACHE_URL"] = cache
    os.environ.update(env)
    rush.fresh_database(env)
    rush.load_data()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    wanted = os.environ.get("PROFILE", "")
    profiler = None
    if wanted:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    cpu = defaultdict(list)
    queries = defaultdict(list)
    account = rush.ACCOUNT

    def run(client, step, method, path, data=None, measure=True):
        with CaptureQueriesContext(connection) as captured:
            started = time.process_time()
            if profiler and measure and step == wanted:
                profiler.start()
            response = getattr(client, method)(path, data) if data is not None else None
            if response is None:
                response = getattr(client, method)(path)
            if profiler and measure and step == wanted:
                profiler.stop()
            spent = time.process_time() - started
        if measure and step == os.environ.get("PROFILE_SQL") and not queries[step]:
            for query in captured.captured_queries:  # the step's SQL, once
                print(query["sql"][:300])
        if measure:
            cpu[step].append(spent * 1000)
            queries[step].append(len(captured.captured_queries))
        assert response.status_code < 500, (step, response.status_code)
        return response

    client = Client()
    for number in range(FAMILIES + WARM_UP):
        measure = number >= WARM_UP
        # One client (its handler loads the middleware once, as a worker does); each family
        # its own cookies and address.
        client.cookies.clear()
        client.defaults["REMOTE_ADDR"] = f"10.1.{number // 256}.{number % 256}"
        run(client, "login page", "get", f"/{account}/login/?current=yes", measure=measure)
        login = {"email": f"family{number}@rush.example", "password": rush_families.PASSWORD}
        response = run(client, "login", "post", f"/{account}/login/", login, measure)
        run(client, "dashboard", "get", response["Location"], measure=measure)
        page = run(client, "classes", "get", f"/{account}/booking/classes/", measure=measure)
        course = re.findall(rf"/{account}/booking/classes/(\d+)/", page.content.decode())[
            number % rush.CLASSES
        ]
        page = run(
            client, "class page", "get", f"/{account}/booking/classes/{course}/", measure=measure
        )
        student = re.search(r'name="student" value="(\d+)"', page.content.decode()).group(1)
        add = {"course": course, "student": student}
        response = run(client, "add", "post", f"/{account}/cart/add/class/", add, measure)
        assert response["Location"].endswith("/cart/"), response["Location"]
        run(client, "cart", "get", response["Location"], measure=measure)
        response = run(client, "checkout", "post", f"/{account}/cart/checkout/start/", {}, measure)
        page = run(client, "pay page", "get", response["Location"], measure=measure).content
        form = {
            name: re.search(rf'name="{name}" value="(\d+)"', page.decode()).group(1)
            for name in ("order", "attempt")
        }
        card = {
            "merchant": account,
            "kind": "card",
            "number": rush_families.VISA,
            "exp_month": "12",
            "exp_year": "2099",
            "cvc": "123",
        }
        token = run(client, "card token", "post", "/sandbox/gateway/tokens", card, measure).json()
        pay = {**form, "method": "card", "payment_token": token["token"]}
        response = run(client, "pay", "post", f"/{account}/cart/checkout/", pay, measure)
        assert "/orders/" in response["Location"], response["Location"]
        run(client, "confirmation", "get", response["Location"], measure=measure)

    print(f"\n{FAMILIES} bookings in process (after {WARM_UP} to warm up); production settings")
    print(f"{'request':<14}{'CPU ms':>8}{'queries':>9}")
    total = 0.0
    for step, values in cpu.items():
        mean = sum(values) / len(values)
        total += mean
        print(f"{step:<14}{mean:>8.1f}{sum(queries[step]) / len(queries[step]):>9.1f}")
    print(
        f"{'per booking':<14}{total:>8.1f}  (with the login; without: "
        f"{total - sum(sum(cpu[s]) / len(cpu[s]) for s in ('login page', 'login')):.1f})"
    )
    if profiler:
        every_frame = bool(os.environ.get("PROFILE_ALL"))
        print(profiler.output_text(unicode=True, color=False, show_all=every_frame))


if __name__ == "__main__":
    main()

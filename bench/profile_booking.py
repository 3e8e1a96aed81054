"""Where a booking's server time goes: the rush flow in process, per request (issue 17, item 3).

    .venv/bin/python bench/profile_booking.py               # CPU ms and queries per request
    PROFILE="pay" .venv/bin/python bench/profile_booking.py # + pyinstrument of that step

Builds a fresh PostgreSQL database like `make bench-rush` (`PROFILE_DATABASE_URL`, default
springboard_profile; enough seats for every family), then runs the booking flow of
PROFILE_FAMILIES families (after a few to warm up) through Django's test client with the
production settings and middleware (no network, no test instrumentation), and prints each
request's mean CPU time (time.process_time of this one process: the server's cost) and SQL
queries. With PROFILE set to a step name it prints pyinstrument's tree for that step, with
PROFILE_SQL that step's SQL once (the set-up and the recorder: bench/rush.py, `in_process`).
"""

import os
import re
import sys
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
    cache = os.environ.get("PROFILE_CACHE_URL", "redis://127.0.0.1:6379/14")
    steps = rush.in_process(cache, cache_needed=False, interval=0.0005)
    from django.test import Client

    account = rush.ACCOUNT

    def run(client, step, method, path, data=None, measure=True):
        return steps.run(client, step, path, method=method, data=data, measure=measure)

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
    for step in steps.cpu:
        total += steps.mean_cpu(step)
        print(f"{step:<14}{steps.mean_cpu(step):>8.1f}{steps.mean_queries(step):>9.1f}")
    login = steps.mean_cpu("login page") + steps.mean_cpu("login")
    print(f"{'per booking':<14}{total:>8.1f}  (with the login; without: {total - login:.1f})")
    steps.print_profile()


if __name__ == "__main__":
    main()

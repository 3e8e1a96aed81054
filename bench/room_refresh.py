"""What one waiting family's refresh costs the server, and the admitted family's pass page
(issue 17; docs/performance.md, "The waiting room's refresh, cheaper").

    .venv/bin/python bench/room_refresh.py                    # CPU ms per request
    PROFILE=refresh .venv/bin/python bench/room_refresh.py    # + pyinstrument of that step

Builds a fresh PostgreSQL database like `make bench-rush` with the waiting room on
(`ROOM_DATABASE_URL`, default springboard_room; Redis at `ROOM_CACHE_URL`, default db 14),
logs ROOM_FAMILIES families in (production settings and middleware, Django's test client,
each family its own cookies and address), has each open the waiting page before the opening
(its arrival), waits for the opening, then asks the status URL ROOM_REFRESHES times in turn
from the families' pages, as static/portal/waitingroom.js does, and loads the waiting page
again for the admitted ones (the page that issues the pass). Prints each step's mean CPU
time (time.process_time of this one process: the server's cost, no network) and SQL queries;
PROFILE_SQL=<step> prints that step's SQL once (the set-up and the recorder: bench/rush.py,
`in_process`, shared with bench/profile_booking.py).
"""

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault(
    "RUSH_DATABASE_URL",
    os.environ.get("ROOM_DATABASE_URL", "postgres://root@localhost:5432/springboard_room"),
)
FAMILIES = int(os.environ.get("ROOM_FAMILIES", "60"))
REFRESHES = int(os.environ.get("ROOM_REFRESHES", "3000"))
OPENS_IN = 6.0  # seconds: every family arrives before the opening, as most do
os.environ["RUSH_FAMILIES"] = str(FAMILIES)
os.environ.setdefault("RUSH_CLASSES", "4")
os.environ["RUSH_SEATS"] = str(FAMILIES * 2)
os.environ["RUSH_WAITING_ROOM"] = "1"
# Half the families in the first batch (admitted: the pass page), half still waiting.
os.environ["RUSH_ADMIT_PER_MINUTE"] = str(max(6, FAMILIES * 3))

from bench import rush, rush_families  # noqa: E402

STATUS_URL = re.compile(r'data-status-url="([^"]+)"')


def main() -> None:
    cache = os.environ.get("ROOM_CACHE_URL", "redis://127.0.0.1:6379/14")
    steps = rush.in_process(cache, cache_needed=True, interval=0.0002)
    from django.test import Client

    account = rush.ACCOUNT

    def run(client, step, path, address):
        return steps.run(client, step, path, REMOTE_ADDR=address)

    opens_at = rush.open_registration(OPENS_IN)
    term = re.compile(r"term=(\d+)")
    families = []
    for number in range(FAMILIES):
        client = Client()  # one handler per family here; the refresh loop is what is measured
        address = f"10.2.{number // 256}.{number % 256}"
        login = {"email": f"family{number}@rush.example", "password": rush_families.PASSWORD}
        client.post(f"/{account}/login/", login, REMOTE_ADDR=address)
        page = client.get(f"/{account}/booking/classes/", REMOTE_ADDR=address).content.decode()
        course = re.findall(rf"/{account}/booking/classes/(\d+)/", page)[number % rush.CLASSES]
        page = client.get(f"/{account}/booking/classes/{course}/", REMOTE_ADDR=address)
        notice = re.search(r'href="([^"]*waiting-room/\?[^"]+)"', page.content.decode())
        assert notice, "the class page shows no waiting-room notice"
        waiting = notice[1].replace("&amp;", "&")
        assert term.search(waiting)
        page = run(client, "waiting page", waiting, address)
        families.append((client, address, waiting, STATUS_URL.search(page.content.decode())[1]))

    from django.utils import timezone

    left = (opens_at - timezone.now()).total_seconds()
    if left > 0:
        time.sleep(left + 0.2)
    for n in range(REFRESHES):
        client, address, _waiting, status_url = families[n % FAMILIES]
        run(client, "refresh", status_url, address)
    admitted = 0
    for client, address, waiting, status_url in families:
        if client.get(status_url, REMOTE_ADDR=address).json()["state"] == "admitted":
            page = run(client, "waiting page (pass)", waiting, address)
            assert "sb_pass" in page.cookies, "admitted, but no pass"
            admitted += 1

    print(f"\n{FAMILIES} families waiting, {REFRESHES} refreshes, {admitted} passes; production")
    print(f"{'request':<22}{'count':>7}{'CPU ms':>9}{'queries':>9}  statuses")
    for step, values in steps.cpu.items():
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(steps.statuses[step].items()))
        print(
            f"{step:<22}{len(values):>7}{steps.mean_cpu(step):>9.3f}"
            f"{steps.mean_queries(step):>9.1f}  {answers}"
        )
    steps.print_profile()


if __name__ == "__main__":
    main()

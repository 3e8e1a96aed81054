"""Run the demo: web server, task worker and housekeeping loop, stopped together by Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from springboard.demo import data
from springboard.demo.families import FAMILY_LOGINS

HOUSEKEEPING_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = "Run the web server, the task worker and the housekeeping loop together."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, port: str, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        base = f"http://127.0.0.1:{port}"
        self._banner(base)
        children = [
            subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]),
            subprocess.Popen([*manage, "db_worker"]),
        ]
        next_sweep = 0.0
        try:
            while all(child.poll() is None for child in children):
                if time.monotonic() >= next_sweep:
                    subprocess.run(
                        [*manage, "housekeeping"], check=False, stdout=subprocess.DEVNULL
                    )
                    next_sweep = time.monotonic() + HOUSEKEEPING_EVERY_SECONDS
                time.sleep(1)
            self.stderr.write("a demo process stopped; stopping the others")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping the demo …")
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _banner(self, base: str) -> None:
        lines = [
            "",
            "Springboard demo is starting",
            f"  Demo gym portal:   {base}/demo/",
            f"  Riverside portal:  {base}/riverside/",
            f"  Staff admin:       {base}/admin/",
            "  Staff logins (email / password):",
            *(
                f"    {login.email} / {login.password}  ({login.what})"
                for login in data.STAFF_LOGINS
            ),
            "  Family logins (email / password):",
            *(f"    {login.email} / {login.password}  ({login.what})" for login in FAMILY_LOGINS),
            f"  Emails sent by the portal are written to {settings.MAIL_FOLDER}",
            "  Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))

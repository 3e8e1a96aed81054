from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from springboard.core import clock
from springboard.core.housekeeping import jobs


class Command(BaseCommand):
    help = "Run every registered housekeeping job once (cron runs this every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    @scopes_disabled()  # the jobs sweep every organization's rows
    def handle(self, *args, list: bool = False, **options):
        registered = jobs()
        if list:
            for name in registered:
                self.stdout.write(name)
            return
        now = clock.now()
        for name, job in registered.items():
            self.stdout.write(f"{name}: {job(now)}")
        if not registered:
            self.stdout.write("no housekeeping jobs are registered yet")

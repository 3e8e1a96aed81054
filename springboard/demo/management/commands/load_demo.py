from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from springboard.core import clock
from springboard.demo import data
from springboard.demo.reset import empty_database, stale_demo
from springboard.demo.waitingroom import opening_line


class Command(BaseCommand):
    help = (
        "Load the demo organizations, content and logins, every date relative to today "
        "(safe to run again the same day)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fresh-if-stale",
            action="store_true",
            help=(
                "When the demo in the database was loaded on another day, empty the database "
                "first (DEBUG=1 only), so the demo's dates follow today. `make demo` does this."
            ),
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            help="load the demo although DEBUG is off (a staging copy, never production)",
        )

    @scopes_disabled()  # it builds (and may empty) every demo organization
    def handle(self, *args, fresh_if_stale: bool = False, **options):
        # The demo's logins have published passwords: never into a production database.
        if not (settings.DEBUG or options["i_know_this_is_not_production"]):
            raise CommandError(
                "load_demo adds logins with published passwords, so it runs only with DEBUG=1 "
                "(or --i-know-this-is-not-production on a copy that is not production)."
            )
        now = clock.now()  # the one clock reading: every demo date derives from it
        loaded_on = stale_demo(now)
        if loaded_on is not None:
            if not fresh_if_stale:
                raise CommandError(
                    f"The demo in this database was loaded on {loaded_on:%Y-%m-%d} and its "
                    "dates are relative to that day. Run `load_demo --fresh-if-stale` "
                    "(DEBUG=1; it empties the database) or `make demo` to start it anew."
                )
            if not settings.DEBUG:
                raise CommandError(
                    "--fresh-if-stale empties the whole database, so it runs only with DEBUG=1."
                )
            self.stdout.write(
                f"the demo was loaded on {loaded_on:%Y-%m-%d}: emptying the database first"
            )
            empty_database()
        organizations = data.load(now=now)
        for organization in organizations.values():
            self.stdout.write(f"loaded /{organization.account_name}/ — {organization.name}")
        if line := opening_line(organizations["demo"]):
            self.stdout.write(line)

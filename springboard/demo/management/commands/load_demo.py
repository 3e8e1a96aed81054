from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from springboard.demo import data


class Command(BaseCommand):
    help = "Load the demo organizations, content and logins (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            help="load the demo although DEBUG is off (a staging copy, never production)",
        )

    def handle(self, *args, **options):
        # The demo's logins have published passwords: never into a production database.
        if not (settings.DEBUG or options["i_know_this_is_not_production"]):
            raise CommandError(
                "load_demo adds logins with published passwords, so it runs only with DEBUG=1 "
                "(or --i-know-this-is-not-production on a copy that is not production)."
            )
        organizations = data.load()
        for organization in organizations.values():
            self.stdout.write(f"loaded /{organization.account_name}/ — {organization.name}")

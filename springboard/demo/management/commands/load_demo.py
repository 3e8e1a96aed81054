from django.core.management.base import BaseCommand

from springboard.demo import data


class Command(BaseCommand):
    help = "Load the demo organizations, content and logins (safe to run again)."

    def handle(self, *args, **options):
        organizations = data.load()
        for organization in organizations.values():
            self.stdout.write(f"loaded /{organization.account_name}/ — {organization.name}")

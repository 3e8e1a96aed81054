"""What a run of `load_demo` on a later day does: the demo's dates are relative to the day it
was loaded, so a demo loaded yesterday is not refreshed in place (its ledger rows may not be
edited, and moving terms under enrollments would leave stale rows). Instead `make demo`
starts from an empty database: `load_demo --fresh-if-stale` empties it (DEBUG only), removes
the uploaded files its rows pointed at, and loads the demo anew.
"""

from datetime import date, datetime

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

from springboard.demo.dates import loaded_on, local_today
from springboard.tenancy.models import Organization


def stale_demo(now: datetime) -> date | None:
    """The day the demo in the database was loaded, when that is not today (else None)."""
    demo = Organization.objects.filter(account_name="demo").first()
    if demo is None:
        return None
    day = loaded_on(demo)
    if day is None or day == local_today(now, demo.time_zone):
        return None
    return day


def _uploaded_files() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        for field in fields:
            names.update(
                name
                for name in model._default_manager.exclude(**{field: ""}).values_list(
                    field, flat=True
                )
                if name
            )
    return names


def empty_database() -> None:
    """Delete the files the database's rows point at, then every row (`manage.py flush`)."""
    for name in _uploaded_files():
        if default_storage.exists(name):
            default_storage.delete(name)
    call_command("flush", interactive=False, verbosity=0)

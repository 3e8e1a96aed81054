"""Housekeeping of families: forget spent codes and old failed logins, prune finished task rows
(rules never need it)."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from springboard.core.housekeeping import register
from springboard.families import throttle
from springboard.families.models import EmailCode


@register("families.forget_old_codes_and_failures")
def forget_old_codes_and_failures(now: datetime) -> str:
    # Codes are kept an hour past creation: the 3-per-hour limit counts them.
    codes, _ = EmailCode.objects.filter(created_at__lt=now - timedelta(hours=1)).delete()
    failures = throttle.forget_old_failures(now=now)
    return f"deleted {codes} old codes and {failures} old failed logins"


# A finished task's row keeps its arguments (addresses, ids): kept a day, a failed one a week.
KEEP_SUCCESSFUL_TASKS = timedelta(days=1)
KEEP_FAILED_TASKS = timedelta(days=7)


@register("tasks.prune_finished")
def prune_finished_tasks(now: datetime) -> str:
    deleted, _ = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL_TASKS)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED_TASKS)
    ).delete()
    return f"pruned {deleted} finished tasks"

"""Housekeeping of families: forget spent codes and old failed logins (rules never need it)."""

from datetime import datetime, timedelta

from springboard.core.housekeeping import register
from springboard.families import throttle
from springboard.families.models import EmailCode


@register("families.forget_old_codes_and_failures")
def forget_old_codes_and_failures(now: datetime) -> str:
    # Codes are kept an hour past creation: the 3-per-hour limit counts them.
    codes, _ = EmailCode.objects.filter(created_at__lt=now - timedelta(hours=1)).delete()
    failures = throttle.forget_old_failures(now=now)
    return f"deleted {codes} old codes and {failures} old failed logins"

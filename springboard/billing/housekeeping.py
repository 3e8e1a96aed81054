"""Autopay as a housekeeping job: each tick makes the attempts due today (first tries on due
dates, retries on the schedule); an attempt already made is never made again."""

from datetime import datetime

from springboard.billing.autopay import collect_every_organization
from springboard.core.housekeeping import register


@register("billing.autopay")
def autopay(now: datetime) -> str:
    return f"made {collect_every_organization(now)} autopay attempts"

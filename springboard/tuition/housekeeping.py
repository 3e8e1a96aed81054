"""The monthly billing run as a housekeeping job: each tick posts, per organization, what its
billing day's month still lacks (nothing, once posted: the keys make a rerun a no-op)."""

from datetime import datetime

from springboard.core.housekeeping import register
from springboard.tuition.runs import run_due_organizations


@register("tuition.monthly_billing_runs")
def monthly_billing_runs(now: datetime) -> str:
    runs = run_due_organizations(now)
    charges = sum(run.tuition_charges + run.fee_charges for run in runs)
    return f"posted {charges} charges in {len(runs)} billing runs"

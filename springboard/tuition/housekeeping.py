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


@register("tuition.complete_drop_refunds")
def complete_drop_refunds(now: datetime) -> str:
    """A drop's, transfer's or camp/party cancellation's refund whose gateway call never
    answered (recorded intent, no outcome) is completed by retrying its key, a minute after
    it was recorded (docs/booking.md, "The refund sequence")."""
    from datetime import timedelta

    from springboard.tuition import refunds

    count = refunds.complete(refunds.unanswered(before=now - timedelta(minutes=1)), now=now)
    return f"completed {count} drop refunds"


@register("tuition.expire_transfer_requests")
def expire_transfer_requests(now: datetime) -> str:
    """A transfer request staff did not decide within the rules' days expires: the family
    is told, the new class's seat is released and offered (docs/booking.md, "Transfers")."""
    from springboard.tuition import changes

    return f"expired {changes.expire_transfer_requests(now)} transfer requests"

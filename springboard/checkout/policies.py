"""The checkout's transaction policies: which are shown for an order, and recording the
agreements ticked on the pay form when the order is confirmed (docs/checkout.md)."""

from datetime import datetime

from springboard.booking.models import ItemKind
from springboard.catalog.models import TuitionPeriod
from springboard.checkout.models import Order
from springboard.core.prepared import Prepared
from springboard.families.models import Policy, PolicyAgreement, PolicyVersion
from springboard.families.models.policies import PolicyAppliesTo, PolicyKind

__all__ = ["buys_monthly_tuition", "record_agreements", "transaction_policies"]


def buys_monthly_tuition(order: Order) -> bool:
    return order.items.filter(
        cart_item__course__tuition_period=TuitionPeriod.MONTH,
        cart_item__kind=ItemKind.COURSE,
    ).exists()


def _transaction_policies(organization_id: int):
    return Policy.objects.filter(
        organization_id=organization_id, kind=PolicyKind.TRANSACTION, is_active=True
    )


# Compiled once per process (core.prepared): the pay page and pay read them (issue 17).
_TRANSACTION_POLICIES = Prepared(_transaction_policies)


def transaction_policies(order: Order) -> list[Policy]:
    """The organization's active transaction policies shown at checkout. A policy marked
    as applying to monthly tuition is shown only when the order buys monthly tuition."""
    policies = _TRANSACTION_POLICIES(organization_id=order.organization_id)

    def about_monthly(policy):
        return policy.applies_to == PolicyAppliesTo.MONTHLY_TUITION

    if not any(about_monthly(policy) for policy in policies):
        return policies  # no need to ask whether the order buys monthly tuition
    monthly = buys_monthly_tuition(order)
    return [policy for policy in policies if monthly or not about_monthly(policy)]


def record_agreements(
    order: Order, agreed, ip_address, user, now: datetime, policies: list | None = None
) -> None:
    """The agreements ticked on the pay form, recorded when the order is confirmed;
    `policies`: the order's transaction_policies, when the caller has them already.

    Each agreement points at its policy's current version (the highest number): the
    versions of all the ticked policies in one read, the agreements in one INSERT, whatever
    their number (issue 17, item 3: it was a read and an insert per policy)."""
    if policies is None:
        policies = transaction_policies(order)
    ticked = [policy for policy in policies if policy.pk in agreed]
    if not ticked:
        return
    current: dict[int, int] = {}  # policy id -> its current version's id
    versions = PolicyVersion.objects.filter(policy_id__in=[policy.pk for policy in ticked])
    for policy_id, version_id in versions.order_by("policy_id", "-number").values_list(
        "policy_id", "pk"
    ):
        current.setdefault(policy_id, version_id)  # the first of each: the highest number
    signature = (user.get_full_name() or user.get_username()) if user else ""
    signed_by = user if getattr(user, "is_authenticated", False) else None
    PolicyAgreement.objects.bulk_create(
        [
            PolicyAgreement(
                organization=order.organization,
                family=order.family,
                version_id=current[policy.pk],
                user=signed_by,
                signature=(signature or order.family.name)[:160],
                accepted=True,
                agreed_at=now,
                ip_address=ip_address,
            )
            for policy in ticked
            if policy.pk in current  # a policy without a version has nothing to agree to
        ]
    )

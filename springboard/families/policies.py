"""Which policies a family still has to answer, and recording its answers.

A family must have agreed to the current version of every active, required, web-shown Family
policy, and, for each active student, of every such Student policy. Optional policies are
offered on the same screen and may be accepted or declined; they never block.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from springboard.core.prepared import Prepared
from springboard.families import cached
from springboard.families.models import (
    Family,
    Policy,
    PolicyAgreement,
    PolicyKind,
    PolicyVersion,
    Student,
)


class PolicyError(Exception):
    """The answers cannot be recorded; the message is for the family."""


@dataclass(frozen=True)
class PendingItem:
    policy: Policy
    version: PolicyVersion
    student: Student | None

    @property
    def key(self) -> str:
        return f"p{self.policy.pk}-s{self.student.pk if self.student else 0}"


def _active_web_policies(organization_id: int):
    return (
        Policy.objects.for_organization(organization_id)
        .filter(
            is_active=True,
            show_on_web=True,
            kind__in=[PolicyKind.FAMILY, PolicyKind.STUDENT],
        )
        .prefetch_related("versions")
    )


# Compiled once per process (core.prepared): the portal's gate reads it for every login's
# first page (docs/performance.md, "listcost").
_ACTIVE_WEB_POLICIES = Prepared(_active_web_policies)


def _web_policies(family: Family) -> list[tuple[Policy, PolicyVersion]]:
    policies = _ACTIVE_WEB_POLICIES(organization_id=family.organization_id)
    pairs = []
    for policy in policies:
        versions = sorted(policy.versions.all(), key=lambda v: v.number)
        if versions:
            pairs.append((policy, versions[-1]))
    return pairs


def pending_items(family: Family, *, include_optional: bool = True) -> list[PendingItem]:
    """What the family has not answered for the current versions (required ones first)."""
    pairs = _web_policies(family)
    if not pairs:
        return []
    answered = set(
        PolicyAgreement.objects.filter(
            family=family, version__in=[version for _p, version in pairs]
        ).values_list("version_id", "student_id", "accepted")
    )
    agreed = {(v, s) for v, s, accepted in answered if accepted}
    seen = {(v, s) for v, s, _accepted in answered}
    students = list(family.students.filter(is_active=True))
    items = []
    for policy, version in pairs:
        targets = [None] if policy.kind == PolicyKind.FAMILY else students
        for student in targets:
            key = (version.pk, student.pk if student else None)
            done = key in agreed if policy.required else key in seen
            if not done and (policy.required or include_optional):
                items.append(PendingItem(policy, version, student))
    items.sort(key=lambda item: (not item.policy.required, item.policy.kind, item.policy.position))
    return items


def must_agree(family: Family) -> bool:
    return bool(pending_items(family, include_optional=False))


def record_answers(
    *,
    family: Family,
    user,
    answers: dict[str, bool],
    signature: str,
    ip_address: str | None,
    now: datetime,
) -> int:
    """Record the answers (item key -> accepted) to what is pending now. Every required item
    must be accepted; a key that is not pending (another family's, an old version) is ignored.
    """
    signature = signature.strip()
    if not signature:
        raise PolicyError(_("Type your name as your signature."))
    with transaction.atomic():
        items = pending_items(family)
        missing = [i for i in items if i.policy.required and not answers.get(i.key)]
        if missing:
            raise PolicyError(_("Agree to every required policy to continue."))
        PolicyAgreement.objects.bulk_create(
            PolicyAgreement(
                organization_id=family.organization_id,
                family=family,
                student=item.student,
                version=item.version,
                user=user,
                signature=signature[:160],
                accepted=bool(answers.get(item.key)),
                agreed_at=now,
                ip_address=ip_address,
            )
            for item in items
        )
        cached.family_changed(family.pk)  # bulk_create sends no signals
    return len(items)


def agreements_of(family: Family, *, kind: str):
    return (
        PolicyAgreement.objects.filter(family=family, version__policy__kind=kind)
        .select_related("version__policy", "student", "user")
        .order_by("version__policy__position", "version__policy__title", "-agreed_at")
    )

"""Posting many charges at once (the monthly billing run): one INSERT for a whole run.

Every charge carries an idempotency key (per enrollment and month, per fee and year) and the
ledger's unique constraint on (organization, key) makes a charge posted twice impossible —
whatever runs at once or crashes midway. The run serialises itself per organization and
skips keys already posted; if something else posted one of its keys meanwhile, the INSERT
fails on the constraint and the whole run's transaction posts nothing (the next run posts
what is missing).

No family ledger lock is taken: a new charge cannot overdraw anything (allocations check the
charge they apply to under that lock, and nothing is allocated to a charge that does not
exist yet), and taking one lock per family would make a run's queries grow with families.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from springboard.billing import descriptions
from springboard.billing.errors import LedgerError, WrongFamily
from springboard.billing.models import Charge, ChargeKind, subject_fields


@dataclass(frozen=True)
class NewCharge:
    family: Any
    amount: Decimal
    kind: str
    due_date: date
    idempotency_key: str
    ledger_fields: dict  # description(_key/_args), computation(_key/_args)
    student: Any = None
    subject: Any = None


def posted_keys(organization, keys: Sequence[str]) -> set[str]:
    """Which of these keys were posted already (one query)."""
    return set(
        Charge.objects.filter(organization=organization, idempotency_key__in=list(keys))
        .values_list("idempotency_key", flat=True)
        .iterator()
    )


def post_charges(
    *, organization, charges: Sequence[NewCharge], now: datetime, actor=None
) -> list[Charge]:
    """Insert the charges in one statement (call inside the caller's transaction)."""
    rows = []
    for new in charges:
        if new.family.organization_id != organization.pk:
            raise WrongFamily()
        if new.student is not None and new.student.family_id != new.family.pk:
            raise WrongFamily()
        if new.amount <= 0 or new.amount != new.amount.quantize(Decimal("0.01")):
            raise LedgerError(_("A charge is a positive amount in cents."))
        if new.kind not in ChargeKind.values or not new.idempotency_key:
            raise LedgerError(_("Choose a kind of charge."))
        fields = dict(new.ledger_fields)
        descriptions.check(fields.get("description_key", ""), fields.get("description_args"))
        descriptions.check(fields.get("computation_key", ""), fields.get("computation_args"))
        rows.append(
            Charge(
                organization=organization,
                family=new.family,
                student=new.student,
                kind=new.kind,
                amount=new.amount,
                due_date=new.due_date,
                idempotency_key=new.idempotency_key,
                created_at=now,
                created_by=actor,
                **fields,
                **subject_fields(new.subject),
            )
        )
    return Charge.objects.bulk_create(rows)

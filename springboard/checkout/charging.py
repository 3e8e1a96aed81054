"""Turning a priced quote into ledger charges — the step the checkout sequence runs inside
the transaction that confirms an order (docs/billing.md, "For checkout")."""

from datetime import datetime

from django.db import transaction

from springboard.billing import services
from springboard.billing.models import Charge
from springboard.checkout.pricing import Quote


def post_quote(
    *, organization, family, quote: Quote, now: datetime, actor=None, subjects=None
) -> list[Charge]:
    """One charge per line with an amount (a free class posts nothing), in line order, all or
    none. `subjects` optionally maps a line's index to what the charge is for once it exists
    (the enrollment, event registration or party booking); otherwise the line's own subject
    (course, event, package, fee schedule) is linked."""
    subjects = subjects or {}
    charges = []
    with transaction.atomic():
        for index, line in enumerate(quote.lines):
            if line.amount <= 0:
                continue
            charges.append(
                services.post_charge(
                    organization=organization,
                    family=family,
                    amount=line.amount,
                    kind=line.kind,
                    due_date=line.due_date,
                    **line.ledger_fields(),
                    student=line.student,
                    subject=subjects.get(index, line.subject),
                    now=now,
                    actor=actor,
                )
            )
    return charges


def charges_due_now(charges: list[Charge], quote: Quote) -> list[Charge]:
    """The charges to pay at checkout (due today or earlier), oldest due first."""
    return sorted((c for c in charges if c.due_date <= quote.today), key=lambda c: c.due_date)

"""Builders for ledger rows, through the billing services (as the app posts them)."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from springboard.billing import services
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import ChargeKind

_numbers = itertools.count(1)
VISA = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
INSUFFICIENT_FUNDS_CARD = "4000 0000 0000 9995"


def card_token(org, number: str = VISA, **fields) -> str:
    fields = {"number": number, "exp_month": "12", "exp_year": "2099", "cvc": "123", **fields}
    return (
        SandboxGateway(org)
        .tokenise(kind="card", fields=fields, idempotency_key="", today=timezone.localdate())
        .token
    )


def charge(family, amount="100.00", **fields):
    fields.setdefault("description", f"Charge {next(_numbers)}")
    fields.setdefault("kind", ChargeKind.FEE)
    fields.setdefault("due_date", date(2027, 1, 1))
    fields.setdefault("now", timezone.now())
    return services.post_charge(
        organization=family.organization, family=family, amount=amount, **fields
    )


def payment(family, amount="100.00", *, number: str = VISA, key: str | None = None, **fields):
    org = family.organization
    return services.record_payment(
        organization=org,
        family=family,
        amount=Decimal(amount),
        token=card_token(org, number),
        idempotency_key=key or f"test-{next(_numbers)}",
        now=fields.pop("now", timezone.now()),
        **fields,
    )


def credit(family, amount="50.00", **fields):
    return services.post_credit(
        organization=family.organization,
        family=family,
        amount=Decimal(amount),
        reason=fields.pop("reason", "Goodwill"),
        now=fields.pop("now", timezone.now()),
        actor=fields.pop("actor", None),
        **fields,
    )

"""Taking money through the gateway and recording it (docs/billing.md): `record_payment`
and `record_payment_once`. Split from billing/services.py, which re-exports them.

The gateway is called outside the family's ledger lock and outside any transaction: the
idempotency key makes a retry safe, and a slow processor must not hold up the family's
other requests. The Payment is then recorded under the lock, once per key.
"""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from springboard.billing.errors import (
    AuthenticationRequired,
    GatewayUnavailable,
    IdempotencyKeyReused,
    LedgerError,
    PaymentDeclined,
    checked_amount,
)
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Gateway, Outcome
from springboard.billing.locks import _check_family, lock_family
from springboard.billing.models import Payment, PaymentStatus
from springboard.core.prepared import Prepared

__all__ = ["NOT_READ", "STATUS_OF_OUTCOME", "record_payment", "record_payment_once"]

STATUS_OF_OUTCOME = {
    Outcome.APPROVED: PaymentStatus.SUCCEEDED,
    Outcome.DECLINED: PaymentStatus.DECLINED,
    Outcome.INSUFFICIENT_FUNDS: PaymentStatus.INSUFFICIENT_FUNDS,
}


def _under_key(organization_id: int, key: str):
    return Payment.objects.filter(organization_id=organization_id, idempotency_key=key)


# Compiled once per process (core.prepared): every payment asks it first.
_UNDER_KEY = Prepared(_under_key)


class _NotRead(Enum):
    NOT_READ = "not read"


# `known_under_key`'s default: the caller has not read the key, so the payment reads it.
NOT_READ: Final = _NotRead.NOT_READ


def _recorded_under_key(organization, key: str, known: Payment | None | _NotRead) -> list:
    """The payment recorded under the key: the caller's read of it when given, else read."""
    if known is NOT_READ:
        return _UNDER_KEY(organization_id=organization.pk, key=key)
    if known is None:
        return []
    if (known.organization_id, known.idempotency_key) != (organization.pk, key):
        raise ValueError("known_under_key is not the payment recorded under this key")
    return [known]


def _replay(existing: Payment, *, family, amount: Decimal) -> Payment:
    """The answer for a key that was used before: the same payment, or a refusal when the
    key now comes with other details (a forged or stale submit)."""
    if existing.family_id != family.pk or existing.amount != amount:
        raise IdempotencyKeyReused()
    if not existing.succeeded:
        raise PaymentDeclined(existing.message, payment=existing)
    return existing


def record_payment(
    *,
    organization,
    family,
    amount,
    token: str,
    idempotency_key: str,
    now: datetime,
    actor=None,
    gateway: Gateway | None = None,
    description: str = "",
    on_session: bool = False,
    known_under_key: Payment | None | _NotRead = NOT_READ,
) -> Payment:
    """Charge a tokenised card or bank account and record the payment (unallocated: the
    caller allocates it, e.g. checkout to its order's charges, in its own transaction).

    `idempotency_key` comes from what is being paid (checkout: the order and the attempt), so
    a double click, a retried request or 20 concurrent submits charge once and return the same
    Payment. A decline is recorded and raised as PaymentDeclined (same key → same answer).
    """
    return record_payment_once(
        organization=organization,
        family=family,
        amount=amount,
        token=token,
        idempotency_key=idempotency_key,
        now=now,
        actor=actor,
        gateway=gateway,
        description=description,
        on_session=on_session,
        known_under_key=known_under_key,
    )[0]


def record_payment_once(
    *,
    organization,
    family,
    amount,
    token: str,
    idempotency_key: str,
    now: datetime,
    actor=None,
    gateway: Gateway | None = None,
    description: str = "",
    on_session: bool = False,
    known_under_key: Payment | None | _NotRead = NOT_READ,
) -> tuple[Payment, bool]:
    """record_payment, also saying whether this call recorded the payment (True) or found
    it recorded already under the key (False: a double submit, another tab).

    `on_session`: the family is at the page, so its bank may ask it to authenticate; that
    is AuthenticationRequired (nothing recorded, the page runs the processor's script and
    submits the same key again).

    `known_under_key`: what the caller's own read of the key found a moment ago — the
    Payment recorded under it, or None: nothing recorded (checkout's pay form reads it with
    the order) — so the key is not read again before the gateway; not given (`NOT_READ`), it
    is read here. A payment recorded after the caller's read (the same form submitted twice
    at once) is answered as when both reads miss it: the gateway's idempotency key returns
    the same charge, and the unique key refuses a second row, which is then found and
    replayed."""
    _check_family(organization, family)
    amount = checked_amount(amount)
    if not idempotency_key or len(idempotency_key) > 100:
        raise LedgerError(_("This payment form has expired; reload the page and try again."))
    found = _recorded_under_key(organization, idempotency_key, known_under_key)
    if found:  # one row at most: the key is unique per organization
        return _replay(found[0], family=family, amount=amount), False

    gateway = gateway or get_gateway(organization)
    try:
        method = gateway.describe(token) if token else None
    except GatewayUnavailable:
        if gateway.charge_under_way(f"payment:{idempotency_key}"):
            # Back from the bank's check: the money may be taken already, so not "nothing
            # was charged"; the same key later (or the processor's webhook) records it once.
            raise GatewayUnavailable(
                _(
                    "The payment processor could not be reached to finish this payment. If "
                    "your bank confirmed it, it will show on your account shortly; trying "
                    "again will not charge you twice."
                )
            ) from None
        raise
    if method is None:
        raise LedgerError(_("That card or bank account is not known; enter it again."))
    result = gateway.charge(
        token=token,
        amount=amount,
        currency=organization.currency,
        idempotency_key=f"payment:{idempotency_key}",
        description=description[:200],
        on_session=on_session,
    )
    if result.outcome == Outcome.REQUIRES_ACTION:
        raise AuthenticationRequired(
            result.message or _("Confirm this payment with your bank."),
            client_secret=result.client_secret,
            reference=result.reference,
        )
    if result.outcome not in STATUS_OF_OUTCOME:
        # Not recorded: the same key may be tried again once the processor answers.
        raise GatewayUnavailable(result.message or _("Payments are unavailable; try again."))

    # One transaction, no savepoint, under the family's lock: the unique key is the check.
    # A row inserted under the same key meanwhile (this family's other tab, which held the
    # lock first and committed, or another family's request) fails the constraint, rolls
    # this transaction back and is answered below (issue 17: no second read of the key).
    existing = None
    try:
        with transaction.atomic():
            lock_family(organization, family)
            payment = Payment.objects.create(
                organization=organization,
                family=family,
                amount=amount,
                method=method.kind,
                status=STATUS_OF_OUTCOME[result.outcome],
                message=result.message[:200],
                gateway=gateway.name,
                gateway_reference=result.reference,
                token=token,
                brand=method.brand,
                last4=method.last4,
                idempotency_key=idempotency_key,
                note=description[:200],
                created_at=now,
                created_by=actor,
            )
    except IntegrityError:
        existing = Payment.objects.get(organization=organization, idempotency_key=idempotency_key)
    if existing is not None:
        return _replay(existing, family=family, amount=amount), False
    if not payment.succeeded:
        raise PaymentDeclined(payment.message, payment=payment)
    return payment, True

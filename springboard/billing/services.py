"""Every change to the ledger. Views, the admin and checkout call these and nothing else.

Each function takes keyword-only `organization`, `actor` (the user doing it, None for the
system) and `now`; opens a transaction; locks the family row (the one ledger lock: every row
of a family's ledger is written only while holding it, so two requests of one family queue
and neither sees the other half-done: billing/locks.py); re-checks amounts under the lock;
inserts new rows; and raises a `LedgerError` whose message a family can read. Nothing is ever
updated.

Here: charges, credit, allocations and voids, and a confirmed order's postings
(`post_order_charges`). Taking money through a gateway is billing/gateway_payments.py and
refunds billing/refunds.py (their names are re-exported here, where callers import them).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from springboard.billing import balances, descriptions
from springboard.billing.errors import (
    AlreadyVoided,
    IdempotencyKeyReused,
    InvalidAmount,
    LedgerError,
    PaymentNotUsable,
    WrongFamily,
    checked_amount,
)
from springboard.billing.gateway_payments import (  # noqa: F401 (re-exported: public names)
    NOT_READ,
    STATUS_OF_OUTCOME,
    _replay,
    record_payment,
    record_payment_once,
)
from springboard.billing.locks import _check_family, lock_family
from springboard.billing.models import (
    Allocation,
    Charge,
    ChargeKind,
    ChargeVoid,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
    subject_fields,
)
from springboard.billing.refunds import refund  # noqa: F401 (re-exported: public name)
from springboard.core.money import ZERO, format_money
from springboard.core.prepared import Prepared, padded

_amount = checked_amount

__all__ = [
    "NOT_READ",
    "OrderCharge",
    "allocate",
    "allocate_oldest_first",
    "apply_credit",
    "lock_family",
    "post_charge",
    "post_credit",
    "post_order_charges",
    "record_payment",
    "record_payment_once",
    "refund",
    "void_charge",
]


def post_charge(
    *,
    organization,
    family,
    amount,
    description: str,
    kind: str,
    due_date: date,
    now: datetime,
    actor=None,
    student=None,
    subject=None,
    computation: str = "",
    description_key: str = "",
    description_args: dict | None = None,
    computation_key: str = "",
    computation_args: dict | None = None,
    idempotency_key: str = "",
) -> Charge:
    """A new charge. `description`/`computation` are plain text (staff's words, or the
    site-language rendering of `*_key`/`*_args`, which the family reads in its language:
    descriptions.py). With `idempotency_key` (a form that may be submitted twice), the same
    key returns the charge it posted first instead of posting another."""
    amount = _amount(amount)
    if kind not in ChargeKind.values:
        raise LedgerError(_("Choose a kind of charge."))
    if not description.strip():
        raise LedgerError(_("Describe the charge."))
    descriptions.check(description_key, description_args)
    descriptions.check(computation_key, computation_args)
    if student is not None and student.family_id != family.pk:
        raise WrongFamily()
    if len(idempotency_key) > 100:
        raise LedgerError(_("This form has expired; reload the page and try again."))
    with transaction.atomic():
        lock_family(organization, family)
        if idempotency_key:
            existing = Charge.objects.filter(
                organization=organization, idempotency_key=idempotency_key
            ).first()
            if existing:
                if existing.family_id != family.pk or existing.amount != amount:
                    raise IdempotencyKeyReused(
                        _("This charge was already posted with different details.")
                    )
                return existing
        return Charge.objects.create(
            organization=organization,
            family=family,
            student=student,
            idempotency_key=idempotency_key,
            kind=kind,
            description=description.strip()[:200],
            computation=computation[:300],
            description_key=description_key,
            description_args=description_args or {},
            computation_key=computation_key,
            computation_args=computation_args or {},
            amount=amount,
            due_date=due_date,
            created_at=now,
            created_by=actor,
            **subject_fields(subject),
        )


def post_credit(
    *,
    organization,
    family,
    amount,
    reason: str,
    now: datetime,
    actor,
    idempotency_key: str = "",
    method: str = PaymentMethodKind.CREDIT_ADJUSTMENT,
    last4: str = "",
) -> Payment:
    """Staff credit a family (goodwill, a transfer): a payment without a gateway. eGift
    Cards post theirs with `method=GIFT_CARD` and the card's last four (giftcards.services)."""
    _check_family(organization, family)
    amount = _amount(amount)
    if not reason.strip():
        raise LedgerError(_("Say why the credit is given."))
    key = idempotency_key or f"credit:{uuid.uuid4()}"
    with transaction.atomic():
        lock_family(organization, family)
        existing = Payment.objects.filter(organization=organization, idempotency_key=key).first()
        if existing:
            return _replay(existing, family=family, amount=amount)
        return Payment.objects.create(
            organization=organization,
            family=family,
            amount=amount,
            method=method,
            status=PaymentStatus.SUCCEEDED,
            brand=str(PaymentMethodKind(method).label) if last4 else "",
            last4=last4[:4],
            idempotency_key=key,
            note=reason.strip()[:200],
            created_at=now,
            created_by=actor,
        )


def _check_owed(charge: Charge, amount: Decimal) -> None:
    """Under the family lock: the charge still stands and at least `amount` is open on it."""
    if ChargeVoid.objects.filter(charge=charge).exists():
        raise AlreadyVoided(_("That charge was cancelled; nothing is owed on it."))
    open_amount = balances.charge_open_amount(charge)
    if amount > open_amount:
        raise InvalidAmount(
            _("That is more than is owed on this charge (%(open)s).")
            % {"open": format_money(open_amount, currency=charge.organization.currency)}
        )


def _check_allocation(payment: Payment, charge: Charge, amount: Decimal) -> None:
    """Under the family lock: the amount fits both the payment and the charge."""
    if payment.family_id != charge.family_id:
        raise WrongFamily()
    if not payment.succeeded:
        raise PaymentNotUsable(_("That payment did not go through, so it cannot be applied."))
    _check_owed(charge, amount)
    unallocated = balances.payment_unallocated_amount(payment)
    if amount > unallocated:
        raise InvalidAmount(
            _("That is more than is left of this payment (%(left)s).")
            % {"left": format_money(unallocated, currency=payment.organization.currency)}
        )


def allocate(
    *, organization, payment: Payment, charge: Charge, amount, now: datetime, actor=None
) -> Allocation:
    """Apply part of one payment to one charge."""
    amount = _amount(amount)
    if payment.organization_id != organization.pk or charge.organization_id != organization.pk:
        raise WrongFamily()
    with transaction.atomic():
        lock_family(organization, charge.family)
        _check_allocation(payment, charge, amount)
        return Allocation.objects.create(
            organization=organization,
            payment=payment,
            charge=charge,
            amount=amount,
            created_at=now,
            created_by=actor,
        )


def apply_credit(
    *, organization, family, charge: Charge, amount, now: datetime, actor=None
) -> list[Allocation]:
    """Spend the family's credit (oldest payments first) on a charge: all or part of what is
    owed, never more than the credit. Two concurrent calls queue on the family lock, and the
    second sees the first's allocations, so credit is never spent twice."""
    amount = _amount(amount)
    _check_family(organization, family)
    if charge.family_id != family.pk:
        raise WrongFamily()
    with transaction.atomic():
        lock_family(organization, family)
        _check_owed(charge, amount)
        available = balances.credit(family)
        if amount > available:
            raise InvalidAmount(
                _("That is more than your credit (%(credit)s).")
                % {"credit": format_money(available, currency=organization.currency)}
            )
        allocations = []
        remaining = amount
        for payment in balances.payments_with_credit(family):
            part = min(remaining, payment.unallocated)
            allocations.append(
                Allocation.objects.create(
                    organization=organization,
                    payment=payment,
                    charge=charge,
                    amount=part,
                    created_at=now,
                    created_by=actor,
                )
            )
            remaining -= part
            if not remaining:
                break
        if remaining:  # cannot happen under the lock; never report credit that was not spent
            raise InvalidAmount(_("Your credit changed meanwhile; reload and try again."))
        return allocations


def allocate_oldest_first(
    *, organization, payment: Payment, charges: Sequence[Charge], now: datetime, actor=None
) -> list[Allocation]:
    """Apply a payment to charges in the given order until it runs out (pay-selected)."""
    allocations = []
    with transaction.atomic():
        lock_family(organization, payment.family)
        for charge in charges:
            left = balances.payment_unallocated_amount(payment)
            owed = balances.charge_open_amount(charge)
            part = min(left, owed)
            if part <= 0:
                continue
            _check_allocation(payment, charge, part)
            allocations.append(
                Allocation.objects.create(
                    organization=organization,
                    payment=payment,
                    charge=charge,
                    amount=part,
                    created_at=now,
                    created_by=actor,
                )
            )
    return allocations


def void_charge(*, organization, charge: Charge, reason: str, now: datetime, actor) -> ChargeVoid:
    """Reverse a charge: it stops counting and whatever was allocated to it becomes credit
    (which staff may then refund)."""
    if charge.organization_id != organization.pk:
        raise WrongFamily()
    if not reason.strip():
        raise LedgerError(_("Say why the charge is voided."))
    with transaction.atomic():
        lock_family(organization, charge.family)
        if ChargeVoid.objects.filter(charge=charge).exists():
            raise AlreadyVoided(_("That charge was already voided."))
        try:
            with transaction.atomic():
                return ChargeVoid.objects.create(
                    organization=organization,
                    charge=charge,
                    reason=reason.strip()[:200],
                    created_at=now,
                    created_by=actor,
                )
        except IntegrityError:
            raise AlreadyVoided(_("That charge was already voided.")) from None


# --- a confirmed order (checkout.confirm) ------------------------------------------------------
@dataclass(frozen=True)
class OrderCharge:
    """One charge of a confirmed order: its amount, kind, due date and stored text (the six
    description/computation columns), and whether it is paid now."""

    amount: Decimal
    kind: str
    due_date: date
    ledger_fields: dict
    due_now: bool
    student: Any = None
    subject: Any = None


def _new_charge(organization, family, new: OrderCharge, *, now: datetime, actor) -> Charge:
    """post_charge's checks of one charge, without its lock or its idempotency key."""
    amount = _amount(new.amount)
    fields = dict(new.ledger_fields)
    if new.kind not in ChargeKind.values:
        raise LedgerError(_("Choose a kind of charge."))
    description = fields.pop("description", "").strip()
    if not description:
        raise LedgerError(_("Describe the charge."))
    descriptions.check(fields.get("description_key", ""), fields.get("description_args"))
    descriptions.check(fields.get("computation_key", ""), fields.get("computation_args"))
    if new.student is not None and new.student.family_id != family.pk:
        raise WrongFamily()
    return Charge(
        organization=organization,
        family=family,
        student=new.student,
        kind=new.kind,
        description=description[:200],
        computation=fields.get("computation", "")[:300],
        description_key=fields.get("description_key", ""),
        description_args=fields.get("description_args") or {},
        computation_key=fields.get("computation_key", ""),
        computation_args=fields.get("computation_args") or {},
        amount=amount,
        due_date=new.due_date,
        created_at=now,
        created_by=actor,
        **subject_fields(new.subject),
    )


def _payments_left(family_id: int, ids: tuple, with_credit: bool = False):
    wanted = Q(pk__in=ids)
    if with_credit:
        wanted |= Q(unallocated__gt=0)
    return (
        balances.with_unallocated_amount(Payment.objects.filter(family_id=family_id))
        .filter(wanted)
        .order_by("created_at", "id")
    )


# Compiled once per process (core.prepared): building the unallocated-amount subqueries cost
# as much CPU as running them (docs/performance.md, "pay, fourth pass").
_OWN_LEFT = Prepared(lambda family_id, ids: _payments_left(family_id, ids))
_OWN_AND_CREDIT_LEFT = Prepared(
    lambda family_id, ids: _payments_left(family_id, ids, with_credit=True)
)


def _money_left(family, own: list[Payment], *, with_credit: bool) -> tuple[dict, list]:
    """Under the lock, one query: what is unallocated of the order's own payments (by id),
    and, when credit is used, the family's other payments holding credit, oldest first."""
    ids = padded(payment.pk for payment in own)
    if ids is None or not ids:  # many payments, or none: built as an ordinary query
        rows = list(_payments_left(family.pk, tuple(p.pk for p in own), with_credit))
    else:
        read = _OWN_AND_CREDIT_LEFT if with_credit else _OWN_LEFT
        rows = read(family_id=family.pk, ids=ids)
    own_ids = {payment.pk for payment in own}
    left = {row.pk: row.unallocated for row in rows}
    return left, [row for row in rows if row.pk not in own_ids]


def post_order_charges(
    *,
    organization,
    family,
    charges: Sequence[OrderCharge],
    payment: Payment | None,
    gift_payments: Sequence[Payment] = (),
    credit: Decimal = ZERO,
    now: datetime,
    actor=None,
) -> list[Charge]:
    """A confirmed order's charges and what pays those due now, in two INSERTs under the
    family's lock, inside the caller's transaction (confirm's; no savepoint of its own).

    Due now, charge by charge: each eGift Card payment (never on an eGift Card being bought),
    then `credit` (the family's other payments, oldest first), then `payment` takes exactly
    the rest. The charges are new in this transaction, so nothing else can pay or void them:
    what is open on each is known without reading it. One read under the lock checks the
    money: what is left of the payments and, with credit, of the family's credit. Raises
    InvalidAmount when it does not cover its part (the caller rolls back: nothing posted)."""
    _check_family(organization, family)
    own = [row for row in (*gift_payments, payment) if row is not None]
    for row in own:
        if row.organization_id != organization.pk or row.family_id != family.pk:
            raise WrongFamily()
        if not row.succeeded:
            raise PaymentNotUsable(_("That payment did not go through, so it cannot be applied."))
    rows = [_new_charge(organization, family, new, now=now, actor=actor) for new in charges]
    with transaction.atomic(savepoint=False):
        lock_family(organization, family)
        due = [row for row, new in zip(rows, charges, strict=True) if new.due_now]
        if not due or not (own or credit):
            return Charge.objects.bulk_create(rows)
        left, credit_payments = _money_left(family, own, with_credit=credit > 0)
        available = sum((left[row.pk] for row in credit_payments), ZERO)
        if credit > available:
            raise InvalidAmount(
                _("That is more than your credit (%(credit)s).")
                % {"credit": format_money(available, currency=organization.currency)}
            )
        Charge.objects.bulk_create(rows)
        allocations = []

        def take(source: Payment, charge: Charge, most: Decimal) -> Decimal:
            part = min(most, left.get(source.pk, ZERO))
            if part > 0:
                left[source.pk] -= part
                allocations.append(
                    Allocation(
                        organization=organization,
                        payment=source,
                        charge=charge,
                        amount=part,
                        created_at=now,
                        created_by=actor,
                    )
                )
            return max(part, ZERO)

        credit_left = credit
        for charge in due:
            still_open = charge.amount
            for gift_payment in gift_payments if charge.kind != ChargeKind.GIFT_CARD else ():
                still_open -= take(gift_payment, charge, still_open)
            for source in credit_payments:
                if not (credit_left and still_open):
                    break
                part = take(source, charge, min(credit_left, still_open))
                credit_left -= part
                still_open -= part
            if payment is not None and still_open > 0:
                if left.get(payment.pk, ZERO) < still_open:
                    raise InvalidAmount(
                        _("That is more than is left of this payment (%(left)s).")
                        % {
                            "left": format_money(
                                left.get(payment.pk, ZERO), currency=organization.currency
                            )
                        }
                    )
                take(payment, charge, still_open)
        Allocation.objects.bulk_create(allocations)
        return rows

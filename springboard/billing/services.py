"""Every change to the ledger. Views, the admin and (later) checkout call these and nothing else.

Each function takes keyword-only `organization`, `actor` (the user doing it, None for the
system) and `now`; opens a transaction; locks the family row (the one ledger lock: every row
of a family's ledger is written only while holding it, so two requests of one family queue
and neither sees the other half-done); re-checks amounts under the lock; inserts new rows;
and raises a `LedgerError` whose message a family can read. Nothing is ever updated.

Gateways are called outside the lock and outside any transaction: when taking money the key
makes a retry safe and a slow processor must not hold up the family's other requests; when
refunding, the Refund row is posted first under the lock (reserving the money, so it is never
refunded and allocated at once) and the gateway's answer is posted after it.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from springboard.billing import balances, descriptions
from springboard.billing.errors import (
    AlreadyVoided,
    AuthenticationRequired,
    GatewayUnavailable,
    IdempotencyKeyReused,
    InvalidAmount,
    LedgerError,
    PaymentDeclined,
    PaymentNotUsable,
    WrongFamily,
)
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Gateway, Outcome
from springboard.billing.models import (
    Allocation,
    Charge,
    ChargeKind,
    ChargeVoid,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
    Refund,
    RefundOutcome,
    subject_fields,
)
from springboard.core.money import AmountError, format_money, parse_amount
from springboard.families.models import Family

STATUS_OF_OUTCOME = {
    Outcome.APPROVED: PaymentStatus.SUCCEEDED,
    Outcome.DECLINED: PaymentStatus.DECLINED,
    Outcome.INSUFFICIENT_FUNDS: PaymentStatus.INSUFFICIENT_FUNDS,
}


def _amount(value) -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as error:
        raise InvalidAmount(error.message) from None


def _check_family(organization, family) -> None:
    if family.organization_id != organization.pk:
        raise WrongFamily()


def lock_family(organization, family) -> Family:
    """Take the family's ledger lock (a row lock on the family; a no-op on SQLite, whose
    IMMEDIATE transactions already serialise writers). Call inside transaction.atomic().

    Taken once per transaction (issue 17): posting a charge and allocating to it inside
    `confirm` do not lock the row again. PostgreSQL holds a row lock to the end of the
    transaction, except that rolling back to a savepoint releases the locks taken after it.
    Django's on-commit list follows exactly those rules (cleared at commit and rollback; a
    rolled-back savepoint drops what was registered after it), so the lock is remembered as
    a no-op on-commit callback, and a later call takes it again only when that is gone."""
    _check_family(organization, family)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(func, _HeldLock) and func.family_pk == family.pk
        for _sids, func, _robust in connection.run_on_commit
    ):
        return family
    locked = Family.objects.select_for_update(no_key=True).get(
        pk=family.pk, organization=organization
    )
    if connection.in_atomic_block:
        transaction.on_commit(_HeldLock(family.pk))
    return locked


class _HeldLock:
    """An on-commit callback that does nothing: its presence says the lock is held."""

    def __init__(self, family_pk: int):
        self.family_pk = family_pk

    def __call__(self) -> None:
        return None


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
) -> tuple[Payment, bool]:
    """record_payment, also saying whether this call recorded the payment (True) or found
    it recorded already under the key (False: a double submit, another tab).

    `on_session`: the family is at the page, so its bank may ask it to authenticate; that
    is AuthenticationRequired (nothing recorded, the page runs the processor's script and
    submits the same key again)."""
    _check_family(organization, family)
    amount = _amount(amount)
    if not idempotency_key or len(idempotency_key) > 100:
        raise LedgerError(_("This payment form has expired; reload the page and try again."))
    existing = Payment.objects.filter(
        organization=organization, idempotency_key=idempotency_key
    ).first()
    if existing:
        return _replay(existing, family=family, amount=amount), False

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

    with transaction.atomic():
        lock_family(organization, family)
        existing = Payment.objects.filter(
            organization=organization, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            try:
                with transaction.atomic():
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
                existing = Payment.objects.get(
                    organization=organization, idempotency_key=idempotency_key
                )
    if existing is not None:
        return _replay(existing, family=family, amount=amount), False
    if not payment.succeeded:
        raise PaymentDeclined(payment.message, payment=payment)
    return payment, True


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


def refund(
    *,
    organization,
    payment: Payment,
    amount,
    reason: str,
    idempotency_key: str,
    now: datetime,
    actor,
    gateway: Gateway | None = None,
) -> Refund:
    """Return unallocated money of a payment to its payment method. To refund a paid charge,
    void it first: that frees its allocation into this payment's unallocated money.

    Call it outside any transaction: it works in three steps so that the gateway is never
    called inside one (nor under the ledger lock). 1) Under the lock, a short transaction
    checks the money is unallocated and posts the Refund, which reserves it (it counts from
    then on, so nothing can allocate it meanwhile). 2) The gateway refunds, with a key derived
    from ours. 3) A short transaction posts its answer as a RefundOutcome; a refusal releases
    the money and raises GatewayUnavailable. The same key again returns the refund (or the
    same refusal); a refund whose gateway call never answered is completed by retrying it.
    """
    amount = _amount(amount)
    if payment.organization_id != organization.pk:
        raise WrongFamily()
    if not reason.strip():
        raise LedgerError(_("Say why the money is refunded."))
    if not idempotency_key or len(idempotency_key) > 100:
        raise LedgerError(_("This refund form has expired; reload the page and try again."))
    row = _reserve_refund(
        organization=organization,
        payment=payment,
        amount=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        now=now,
        actor=actor,
    )
    if payment.method in (PaymentMethodKind.CREDIT_ADJUSTMENT, PaymentMethodKind.GIFT_CARD):
        return row  # no gateway: the reservation is the refund
    outcome = RefundOutcome.objects.filter(refund=row).first()
    if outcome is None:
        result = (gateway or get_gateway(organization)).refund(
            charge_reference=payment.gateway_reference,
            amount=amount,
            currency=organization.currency,
            idempotency_key=f"refund:{idempotency_key}",
        )
        outcome = _post_refund_outcome(
            organization=organization, row=row, result=result, now=now, actor=actor
        )
    if not outcome.succeeded:
        raise GatewayUnavailable(
            _("The gateway refused this refund (%(message)s); open a new form to try again.")
            % {"message": outcome.message or _("no reason given")}
        )
    return row


def _reserve_refund(
    *, organization, payment, amount, reason, idempotency_key, now, actor
) -> Refund:
    with transaction.atomic():
        lock_family(organization, payment.family)
        existing = Refund.objects.filter(
            organization=organization, idempotency_key=idempotency_key
        ).first()
        if existing:
            if existing.payment_id != payment.pk or existing.amount != amount:
                raise IdempotencyKeyReused()
            return existing
        if not payment.succeeded:
            raise PaymentNotUsable(
                _("That payment did not go through; there is nothing to refund.")
            )
        unallocated = balances.payment_unallocated_amount(payment)
        if amount > unallocated:
            raise InvalidAmount(
                _(
                    "Only %(left)s of this payment is unallocated; void the charges it paid "
                    "before refunding more."
                )
                % {"left": format_money(unallocated, currency=organization.currency)}
            )
        return Refund.objects.create(
            organization=organization,
            payment=payment,
            amount=amount,
            reason=reason.strip()[:200],
            idempotency_key=idempotency_key,
            created_at=now,
            created_by=actor,
        )


def _post_refund_outcome(*, organization, row: Refund, result, now, actor) -> RefundOutcome:
    with transaction.atomic():
        lock_family(organization, row.payment.family)
        existing = RefundOutcome.objects.filter(refund=row).first()
        if existing:  # a concurrent retry of the same key answered first
            return existing
        return RefundOutcome.objects.create(
            organization=organization,
            refund=row,
            succeeded=result.succeeded,
            gateway_reference=result.reference if result.succeeded else "",
            message=(result.message or "")[:200],
            created_at=now,
            created_by=actor,
        )

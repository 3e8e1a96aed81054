"""The pay form's checks before the gateway (docs/checkout.md; split from
checkout/services.py, which re-exports these names): what the form asks for, that the order
is still open, and whether the form's attempt already has money taken or on its way. The
pay form's read (`read_pay_form`) returns a `PayFormRead`, which its callers pass on
explicitly (`read=`) so that what it read is not asked again."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from springboard.billing.gateways import get_gateway
from springboard.billing.models import Payment, PaymentStatus
from springboard.checkout.errors import CheckoutError
from springboard.checkout.models import Order, OrderGiftCard, OrderStatus
from springboard.core.money import ZERO, AmountError, parse_amount
from springboard.core.prepared import Prepared

__all__ = [
    "AttemptChecked",
    "PayFormRead",
    "PayRequest",
    "check_open",
    "check_payable",
    "parse_credit",
    "read_pay_form",
]


@dataclass(frozen=True)
class PayRequest:
    attempt: int
    credit: Decimal = ZERO
    token: str = ""
    agreed: frozenset = frozenset()  # policy ids
    ip_address: str | None = None
    # The family is at the page (its bank may ask it to authenticate); False for Stripe's
    # webhook confirming an order whose browser went away.
    family_present: bool = True


def parse_credit(raw: str) -> Decimal:
    raw = (raw or "").strip()
    if not raw:
        return ZERO
    try:
        return parse_amount(raw)
    except AmountError as error:
        raise CheckoutError(error.message) from None


def check_open(order: Order, now: datetime) -> None:
    if order.status == OrderStatus.PENDING and order.expires_at > now:
        return
    if order.status == OrderStatus.CONFIRMED:
        raise CheckoutError(_("This order is already paid."))
    raise CheckoutError(
        _("The time to pay for this order ran out and its places were released. Add them again.")
    )


def _payment_status(organization_id: int, key: str):
    return Payment.objects.filter(organization_id=organization_id, idempotency_key=key).values_list(
        "status", flat=True
    )


# Compiled once per process (core.prepared): every pay form asks it.
_PAYMENT_STATUS = Prepared(_payment_status)


def _pay_form_order(organization_id: int, family_id: int, order_id: int, key: str):
    under_key = Payment.objects.filter(
        organization_id=OuterRef("organization_id"), idempotency_key=key
    ).values("status")[:1]
    gift_total = (
        OrderGiftCard.objects.filter(order_id=OuterRef("pk"))
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Order.objects.filter(
        organization_id=organization_id, family_id=family_id, pk=order_id
    ).annotate(status_under_key=Subquery(under_key), applied_gift_total=Subquery(gift_total))


# Compiled once per process (core.prepared): the order of every pay form.
_PAY_FORM_ORDER = Prepared(_pay_form_order)


@dataclass(frozen=True)
class PayFormRead:
    """The pay form's order read in one statement with what pay asks of it next (issue 17:
    two round trips fewer), handed on explicitly to `check_payable`, `pay` and
    `gift_cards.gift_total`; each of them reads for itself when not given one.

    `status_under_key`: the status of the payment recorded under the key of the form's
    `attempt` (None: none recorded, or the form had no attempt, so no key was read);
    `gift_total`: what the eGift Cards applied to the order pay."""

    order: Order
    attempt: int | None
    status_under_key: str | None
    gift_total: Decimal

    def statuses_under_key(self, order: Order, attempt: int) -> list[str] | None:
        """What this read found under the key of `order`'s `attempt` ([] nothing, or the
        one status: the key is unique); None when it did not read that key."""
        if self.order.pk != order.pk or self.attempt != attempt:
            return None
        return [] if self.status_under_key is None else [self.status_under_key]


def read_pay_form(organization, family, order_id: int, attempt: int | None) -> PayFormRead | None:
    """The family's order a pay form names (None: not this family's), read in the same
    statement with what is recorded under the key of the form's attempt and what the
    eGift Cards applied to it pay (a PayFormRead)."""
    key = Order.key_of(order_id, attempt) if attempt else ""  # no attempt: no key
    found = _PAY_FORM_ORDER(
        organization_id=organization.pk, family_id=family.pk, order_id=order_id, key=key
    )
    if not found:
        return None
    order = found[0]
    read = PayFormRead(
        order=order,
        attempt=attempt or None,
        status_under_key=order.status_under_key if attempt else None,
        gift_total=order.applied_gift_total or ZERO,
    )
    # Held by the read only: the order keeps no copy that a later question could take for
    # the database's answer.
    del order.status_under_key, order.applied_gift_total
    return read


@dataclass(frozen=True)
class AttemptChecked:
    """What `_payment_taken` found for one attempt of an order: its money taken or on its
    way (`taken`), and whether a payment is recorded under its key (`recorded`; when not,
    `pay` hands `record_payment` that read, `known_under_key=None`, and the key is not read
    again: issue 17)."""

    taken: bool
    recorded: bool


def _payment_taken(
    order: Order, attempt: int, gateway=None, *, read: PayFormRead | None = None
) -> AttemptChecked:
    """This attempt's money was already taken (a retry after a busy or late confirmation),
    or the processor holds a charge for it that is still being completed (the family's bank
    asked it to authenticate, and the window may have passed meanwhile): then the form is
    answered with the processor's result and `confirm` judges the window, never refused
    while the money may be on its way. `read`: the pay form's read, which found what is
    recorded under this attempt's key (else asked here)."""
    key = order.idempotency_key(attempt)
    found = read.statuses_under_key(order, attempt) if read is not None else None
    if found is None:
        found = _PAYMENT_STATUS(organization_id=order.organization_id, key=key)
    if found:  # one row at most: the key is unique
        # Declined: the next try is a new attempt.
        return AttemptChecked(taken=found[0] == PaymentStatus.SUCCEEDED, recorded=True)
    # No payment recorded under the key (one query above): only the processor can tell.
    gateway = gateway or get_gateway(order.organization)
    return AttemptChecked(taken=gateway.charge_under_way(f"payment:{key}"), recorded=False)


def check_payable(
    order: Order,
    attempt: int | None,
    now: datetime,
    gateway=None,
    *,
    read: PayFormRead | None = None,
) -> AttemptChecked | None:
    """The view's first check of a pay form: the order is open, or this form's attempt has
    money taken or on its way (see _payment_taken; `read`: the pay form's read of the order).
    Returns _payment_taken's answer when it was asked (the form's attempt is the order's),
    for `pay(checked=...)`; else None."""
    checked = None
    if order.status != OrderStatus.CONFIRMED and attempt == order.attempt:
        checked = _payment_taken(order, attempt, gateway, read=read)
        if checked.taken:
            return checked
    check_open(order, now)
    return checked

"""The pay form's checks before the gateway (docs/checkout.md; split from
checkout/services.py, which re-exports these names): what the form asks for, that the order
is still open, and whether the form's attempt already has money taken or on its way."""

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
    "PayRequest",
    "check_open",
    "check_payable",
    "parse_credit",
    "pay_form_order",
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


def pay_form_order(organization, family, order_id: int, attempt: int | None) -> Order | None:
    """The family's order a pay form names (None: not this family's), read in the same
    statement with what is recorded under the key of the form's attempt and what the
    eGift Cards applied to it pay, which `check_payable` and `pay` then use once instead of
    asking again (issue 17: two round trips fewer)."""
    key = Order.key_of(order_id, attempt) if attempt else ""  # no attempt: no key
    found = _PAY_FORM_ORDER(
        organization_id=organization.pk, family_id=family.pk, order_id=order_id, key=key
    )
    if not found:
        return None
    order = found[0]
    if attempt:
        order._status_under_key = (attempt, order.status_under_key)  # once: see _payment_taken
    order._gift_total_read = order.applied_gift_total or ZERO  # once: see gift_cards.gift_total
    return order


@dataclass(frozen=True)
class AttemptChecked:
    """What `_payment_taken` found for one attempt of an order: its money taken or on its
    way (`taken`), and whether a payment is recorded under its key (`recorded`; when not,
    `record_payment` is told so and does not read the key again: issue 17)."""

    taken: bool
    recorded: bool


def _payment_taken(order: Order, attempt: int, gateway=None) -> AttemptChecked:
    """This attempt's money was already taken (a retry after a busy or late confirmation),
    or the processor holds a charge for it that is still being completed (the family's bank
    asked it to authenticate, and the window may have passed meanwhile): then the form is
    answered with the processor's result and `confirm` judges the window, never refused
    while the money may be on its way."""
    key = order.idempotency_key(attempt)
    # Read with the order by pay_form_order, for this attempt: used once (a later question
    # about the order, e.g. after refresh_from_db, is asked of the database).
    read = order.__dict__.pop("_status_under_key", None)
    if read is not None and read[0] == attempt:
        found = [read[1]] if read[1] is not None else []
    else:
        found = _PAYMENT_STATUS(organization_id=order.organization_id, key=key)
    if found:  # one row at most: the key is unique
        # Declined: the next try is a new attempt.
        return AttemptChecked(taken=found[0] == PaymentStatus.SUCCEEDED, recorded=True)
    # No payment recorded under the key (one query above): only the processor can tell.
    gateway = gateway or get_gateway(order.organization)
    return AttemptChecked(taken=gateway.charge_under_way(f"payment:{key}"), recorded=False)


def check_payable(
    order: Order, attempt: int | None, now: datetime, gateway=None
) -> AttemptChecked | None:
    """The view's first check of a pay form: the order is open, or this form's attempt has
    money taken or on its way (see _payment_taken). Returns _payment_taken's answer when it
    was asked (the form's attempt is the order's), for `pay(checked=...)`; else None."""
    checked = None
    if order.status != OrderStatus.CONFIRMED and attempt == order.attempt:
        checked = _payment_taken(order, attempt, gateway)
        if checked.taken:
            return checked
    check_open(order, now)
    return checked

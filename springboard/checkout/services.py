"""The checkout sequence (docs/checkout.md).

1. `start_checkout`: under the locks of what is sold (courses, then event days, then party
   slots, each by ascending id, one lock timeout), the family's held cart items become a
   *pending* order that keeps their seats for the payment window; priced by the pricing
   service into order lines.
2. `pay`: checks the order is still open and the form's attempt is the current one, takes the
   card or bank payment through the gateway with the key `order-<id>-attempt-<n>`
   (billing.record_payment: the same key never charges twice), then
3. `confirm` (at the moment the gateway answered: the view's `clock` is read again): one
   transaction under the hold rule's locks — what is sold, then the family's ledger, then the
   order (NO KEY UPDATE, one lock timeout → 409) — re-checks (checkout.seats) that no student
   was booked meanwhile and, if the window passed during the payment, that its places are
   still openings; then the order becomes confirmed, its items active enrollments / event
   registrations / party bookings, its priced lines charges (a free line posts none); credit
   and the payment are allocated to the lines due now; the agreements are recorded; the
   receipt is sent after commit. A payment taken for an order that cannot be booked is kept
   as credit (PaymentKept), never a 500.
A decline moves the order to the next attempt and leaves it pending (seats kept until the
window ends). `expire_orders` is the housekeeping sweep; reads never depend on it.
"""

import logging
import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import DatabaseError
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from springboard.billing import balances
from springboard.billing import services as ledger
from springboard.billing.errors import AuthenticationRequired, LedgerError, PaymentDeclined
from springboard.billing.models import ChargeKind
from springboard.booking.locking import BookingBusy, locked_many
from springboard.booking.models import (
    VISITOR_KINDS,
    CartItem,
    Enrollment,
    EventRegistration,
    HoldStatus,
    ItemKind,
    PartyBooking,
)
from springboard.checkout import discounts, gift_cards, pricing, seats
from springboard.checkout import products as shop_lines
from springboard.checkout.cart_reads import (  # noqa: F401 (re-exported: public names)
    _local_today,
    cart_discounts,
    held_items,
    open_order,
    price_items,
    pricing_item,
    with_pricing_rows,
)
from springboard.checkout.errors import (
    CheckoutError,
    NotBookable,
    PaymentKept,
    PaymentNeedsAuthentication,
    PaymentRefused,
    PromoCodeRefused,
)
from springboard.checkout.models import (
    PAYMENT_WINDOW_MINUTES,
    DiscountRule,
    Order,
    OrderItem,
    OrderLine,
    OrderStatus,
    PromoCode,
)
from springboard.checkout.pay_checks import (  # noqa: F401 (re-exported: public names)
    AttemptChecked,
    PayFormRead,
    PayRequest,
    _payment_taken,
    check_open,
    check_payable,
    parse_credit,
    read_pay_form,
)
from springboard.checkout.policies import (
    record_agreements,
    transaction_policies,
)
from springboard.checkout.receipt_mail import send_receipt  # noqa: F401 (re-exported)
from springboard.core.money import ZERO
from springboard.core.prepared import Prepared

logger = logging.getLogger(__name__)
Hook = Callable[[], None] | None


# --- reading: springboard/checkout/cart_reads.py (re-exported here) -------------------------


def _create_lines(order: Order, order_items: dict, pairs) -> None:
    """The order's lines, in one INSERT; a discount line points at the line it reduces, so
    the lines before it are inserted first when it reduces one of them not yet inserted."""
    made: list[OrderLine] = []
    waiting: list[OrderLine] = []
    for position, (cart_item, line) in enumerate(pairs):
        subject = line.subject
        reduces = made[line.discount_of] if line.discount_of is not None else None
        if reduces is not None and reduces.pk is None:
            OrderLine.objects.bulk_create(waiting)
            waiting = []
        row = OrderLine(
            order=order,
            item=order_items[cart_item.pk] if cart_item else None,
            position=position,
            kind=line.kind,
            **line.ledger_fields(),
            quantity=line.quantity,
            amount=line.amount,
            due_date=line.due_date,
            student=line.student,
            discount_of=reduces,
            discount_rule=subject if isinstance(subject, DiscountRule) else None,
            promo_code=subject if isinstance(subject, PromoCode) else None,
        )
        made.append(row)
        waiting.append(row)
    if waiting:
        OrderLine.objects.bulk_create(waiting)


def _totals(pairs, today) -> tuple[Decimal, Decimal]:
    total = sum((line.amount for _i, line in pairs), ZERO)
    due_now = sum((line.amount for _i, line in pairs if line.due_date <= today), ZERO)
    return total, due_now


# --- 1. the pending order ---------------------------------------------------------------------
def _sold_rows(cart_items):
    courses = [i.course_id for i in cart_items if i.kind == ItemKind.COURSE]
    days = [d.event_day_id for i in cart_items if i.kind == ItemKind.EVENT for d in i.days.all()]
    slots = [i.party_slot_id for i in cart_items if i.kind == ItemKind.PARTY]
    return courses, days, slots


def start_checkout(*, family, user, now: datetime, lock: bool = True) -> Order:
    """The family's open order, or a new pending order made of its held cart items."""
    if not (family.can_book or family.is_guest):
        raise CheckoutError(_("Please confirm your email address before booking."))
    existing = open_order(family, now)
    if existing:
        return existing
    items = held_items(family, now)
    if not items:
        # Another tab's checkout may have committed between the two reads (its order made,
        # the holds converted): that order is this one too, as under the lock below.
        existing = open_order(family, now)
        if existing:
            return existing
        raise CheckoutError(_("Your cart is empty, or its time ran out. Add the items again."))
    if family.is_guest and any(item.kind not in VISITOR_KINDS for item in items):
        raise CheckoutError(_("Classes, camps and parties need an account: log in first."))
    courses, days, slots = _sold_rows(items)
    try:
        pairs, today = price_items(items, family=family, now=now)
    except pricing.PricingError as error:
        raise CheckoutError(error.message) from None
    organization = family.organization
    units = shop_lines.sold_units(items)
    with locked_many(shop_lines.lock_groups(courses, days, slots, units), lock=lock):
        ledger.lock_family(organization, family)  # one checkout of a family at a time
        existing = open_order(family, now)
        if existing:
            return existing
        try:
            seats.check_not_booked(items)
        except CheckoutError as error:
            raise CheckoutError(error.message + " " + _("Remove it from the cart.")) from None
        seats.check_not_oversold(courses, days, slots, now=now)
        shop_lines.check_not_oversold(units, now=now)
        total, due_now = _totals(pairs, today)
        order = Order.objects.create(
            organization=organization,
            family=family,
            created_at=now,
            expires_at=now + timedelta(minutes=PAYMENT_WINDOW_MINUTES),
            total=total,
            due_now=due_now,
            priced_on=today,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # One INSERT for the items and one for the lines, whatever their number.
        order_items = {item.pk: OrderItem(order=order, cart_item=item) for item in items}
        OrderItem.objects.bulk_create(order_items.values())
        _create_lines(order, order_items, pairs)
        # The order keeps the seats now (its own registry entries); the holds are converted,
        # each only if it is still held: one removed or swept since it was read (the update
        # re-reads a row another transaction changed) undoes the whole order. No count of
        # them first: the update's own row count is the check (one query fewer).
        ids = [item.pk for item in items]
        converted = (
            CartItem.objects.filter(pk__in=ids).holding(now).update(status=HoldStatus.CONVERTED)
        )
        if converted != len(ids):
            raise CheckoutError(_("Your cart changed meanwhile; look at it again."))
        return order


# --- 2. paying --------------------------------------------------------------------------------
def pay(
    *,
    order: Order,
    request: PayRequest,
    user,
    now: datetime,
    gateway=None,
    clock: Callable[[], datetime] | None = None,
    lock: bool = True,
    after_read: Hook = None,
    fresh: bool = False,
    checked: AttemptChecked | None = None,
    read: PayFormRead | None = None,
) -> Order:
    """Take the money for a pending order and confirm it; idempotent per (order, attempt).

    `now` is the request's moment; `clock` (the view passes springboard.core.clock.now) is
    read again once the gateway has answered, and `confirm` judges the window at that moment.
    `lock=False` and `after_read` exist for the race tests (as in booking.services).
    `fresh`: the caller read `order` in this request just now (not read again); `checked`:
    check_payable's answer for this order and `request.attempt`, when it asked (issue 17:
    the view's checks were made twice); `read`: the pay form's read of `order`
    (read_pay_form), whose payment status under the key and eGift Cards' total are used
    instead of asking again. Either way `confirm` decides under its locks."""
    family = order.family
    organization = order.organization
    if not fresh:
        order.refresh_from_db()
        order.organization, order.family = organization, family  # the same rows
    if order.status == OrderStatus.CONFIRMED and request.attempt <= order.attempt:
        return order  # a double submit of the form that paid: the same result
    if checked is None and (
        order.status != OrderStatus.CONFIRMED and request.attempt == order.attempt
    ):
        checked = _payment_taken(order, request.attempt, gateway, read=read)
    retry_of_taken_payment = (
        order.status != OrderStatus.CONFIRMED
        and request.attempt == order.attempt
        and checked is not None
        and checked.taken
    )
    if not retry_of_taken_payment:  # else confirm decides, by the late-payment rule
        check_open(order, now)
    if request.attempt != order.attempt:
        raise CheckoutError(
            _("This payment form was already used. Look at the order and try again.")
        )
    policies = transaction_policies(order)
    missing = [p for p in policies if p.required and p.pk not in request.agreed]
    if missing:
        raise CheckoutError(
            _("Please agree to: %(titles)s.") % {"titles": ", ".join(p.title for p in missing)}
        )
    if order.promo_code_id:  # checked again under its lock when the order is confirmed
        try:
            discounts.check_usable(order.promo_code, family=family, today=order.priced_on)
        except PromoCodeRefused as error:
            raise CheckoutError(
                error.message + " " + _("Remove the code to pay without it.")
            ) from None
    credit = request.credit
    by_gift_cards = gift_cards.gift_total(order, read=read)  # applied eGift Cards pay first
    if credit > order.due_now - by_gift_cards:
        raise CheckoutError(_("That is more credit than is due now."))
    if credit > 0 and credit > balances.credit(family):  # no credit used: nothing to sum
        raise CheckoutError(_("That is more than your account credit."))
    if by_gift_cards and not retry_of_taken_payment:
        gift_cards.check_cards(order, now=now)
    card_amount = order.due_now - credit - by_gift_cards
    payment = None
    if card_amount > 0:
        if not request.token:
            raise CheckoutError(_("Choose how to pay: a saved method, a card or a bank account."))
        try:
            payment = ledger.record_payment(
                organization=organization,
                family=family,
                amount=card_amount,
                token=request.token,
                idempotency_key=order.idempotency_key(request.attempt),
                now=now,
                actor=user,
                gateway=gateway,
                description=str(order),
                on_session=request.family_present,
                # Nothing found under the key a moment ago (_payment_taken): that read is
                # handed on, not made again; else record_payment reads (and replays) it.
                known_under_key=(
                    None if checked is not None and not checked.recorded else ledger.NOT_READ
                ),
            )
        except AuthenticationRequired as error:
            # Nothing taken yet: the page runs the bank's check, then sends this form again.
            raise PaymentNeedsAuthentication(
                error.message, client_secret=error.client_secret
            ) from None
        except PaymentDeclined as error:
            # The next try needs a new key; a double submit of this form gets the same answer.
            Order.objects.filter(pk=order.pk, attempt=request.attempt).update(
                attempt=request.attempt + 1
            )
            raise PaymentRefused(error.message) from None
        except LedgerError as error:
            raise CheckoutError(error.message) from None
    elif request.token:
        raise CheckoutError(_("Nothing is left to pay by card; your credit covers it."))
    answered_at = clock() if clock else now  # the gateway may have taken its time
    try:
        return confirm(
            order=order,
            payment=payment,
            credit=credit,
            request=request,
            user=user,
            now=answered_at,
            lock=lock,
            after_read=after_read,
            policies=policies,
        )
    except BookingBusy:
        if payment is None:
            raise
        # The same form again uses the same key: the gateway is not charged twice.
        raise BookingBusy(
            _(
                "Many families are booking right now — please try again. Your payment was "
                "received: trying again will not charge you twice."
            )
        ) from None
    except (LedgerError, NotBookable, DatabaseError) as error:
        # E.g. the credit was spent meanwhile by another tab, the window passed and the seat
        # was taken, or the database refused: nothing of the order was posted; a card
        # payment already taken stays on the account as credit (never a 500 after paying).
        if isinstance(error, DatabaseError):
            logger.exception("Confirming order %s failed after payment", order.pk)
            message = _("Your order could not be completed.")
        else:
            message = error.message
        if payment is None:
            raise CheckoutError(message) from None
        Order.objects.filter(pk=order.pk, attempt=request.attempt).update(
            attempt=request.attempt + 1
        )
        raise PaymentKept(
            message + " " + _("Your payment is kept as credit on your account.")
        ) from None


# --- 3. confirming ----------------------------------------------------------------------------
def _book(cart_items, order: Order, now: datetime) -> dict:
    """The booking rows of the sold cart items (a class's enrollments in one INSERT: under the
    course locks check_not_booked found none active); the charge subject of each, by cart
    item id."""
    enrollments: dict[tuple[int, int], Enrollment] = {}
    subjects = {}
    for item in cart_items:
        if item.kind == ItemKind.COURSE:
            key = (item.student_id, item.course_id)  # twice in one order: one enrollment
            if key not in enrollments:
                enrollments[key] = Enrollment(
                    organization=order.organization,
                    student=item.student,
                    course=item.course,
                    created_at=now,
                )
            subjects[item.pk] = enrollments[key]
        else:
            subjects[item.pk] = _book_one(item, order, now)
    Enrollment.objects.bulk_create(list(enrollments.values()))
    return subjects


def _book_one(item: CartItem, order: Order, now: datetime):
    """The booking rows of a sold cart item that is not a class."""
    organization = order.organization
    if item.kind == ItemKind.GIFT_CARD:
        today = timezone.localtime(now, zoneinfo.ZoneInfo(organization.time_zone)).date()
        return gift_cards.issue_for_item(item, order, today=today, now=now)
    if item.kind == ItemKind.PRODUCT:
        return shop_lines.book(item, order, now)
    if item.kind == ItemKind.EVENT:
        rows = [
            EventRegistration.objects.create(
                organization=organization,
                student=item.student,
                event_day=day.event_day,
                created_at=now,
            )
            for day in item.days.select_related("event_day").order_by("event_day__date")
        ]
        return rows[0] if rows else item.event
    return PartyBooking.objects.create(
        organization=organization,
        family=order.family,
        slot=item.party_slot,
        package=item.party_package,
        guest_count=item.guest_count or 1,
        guest_of_honour_name=item.honour_label or "",
        created_at=now,
    )


# Compiled once per process (core.prepared): confirm and cancel take this lock on every order.
_LOCKED_ORDER = Prepared(
    lambda order_pk: Order.objects.select_for_update(no_key=True).filter(pk=order_pk)
)


def lock_order(organization, family, order_pk: int) -> Order:
    """The family's ledger lock, then the order's row lock (always in that order; NO KEY
    UPDATE: its lines and items can still be inserted). A test replaces it to show the race
    it prevents."""
    ledger.lock_family(organization, family)
    found = _LOCKED_ORDER(order_pk=order_pk)
    if not found:
        raise Order.DoesNotExist("Order matching query does not exist.")
    return found[0]


def _order_items(order_id: int):
    return OrderItem.objects.filter(order_id=order_id).select_related(
        "cart_item__student",
        "cart_item__course",
        "cart_item__event",
        *(f"cart_item__{path}" for path in shop_lines.RELATED),
    )


# Compiled once per process (core.prepared): building this join of six tables was the
# dearest read of confirm; its lines likewise (docs/performance.md, "pay, fourth pass").
_ORDER_ITEMS = Prepared(_order_items)
_ORDER_LINES = Prepared(
    lambda order_id: (
        OrderLine.objects.filter(order_id=order_id)
        .select_related("student")
        .order_by("position", "id")
    )
)


def order_lines(order: Order) -> list[OrderLine]:
    """The order's lines in their order, with their students (a prepared read)."""
    lines = _ORDER_LINES(order_id=order.pk)
    for line in lines:
        line.order = order  # as order.lines would give them: the order not read again
    return lines


def confirm(
    *,
    order: Order,
    payment,
    credit: Decimal,
    request: PayRequest,
    user,
    now: datetime,
    lock: bool = True,
    after_read: Hook = None,
    policies: list | None = None,
):
    """Book and post a paid order. `now` is the moment the payment answered. The locks are
    the hold rule's: what is sold (courses, event days, party slots, by id), then the
    family's ledger, then the order; a lock not granted in time is BookingBusy (409).
    `policies`: the transaction policies pay checked (read again when not given)."""
    organization = order.organization
    family = order.family
    actor = user if getattr(user, "is_authenticated", False) else None
    order_items = _ORDER_ITEMS(order_id=order.pk)
    cart_items = [order_item.cart_item for order_item in order_items]
    prefetch_related_objects([i for i in cart_items if i.kind == ItemKind.EVENT], "days")
    courses, days, slots = _sold_rows(cart_items)
    units = shop_lines.sold_units(cart_items)
    with locked_many(shop_lines.lock_groups(courses, days, slots, units), lock=lock):
        order = lock_order(organization, family, order.pk)
        order.organization, order.family = organization, family  # the same rows
        if order.status == OrderStatus.CONFIRMED:
            return order  # a concurrent identical submit confirmed it first
        if not order.can_become(OrderStatus.CONFIRMED):
            raise NotBookable(_("This order was cancelled before the payment arrived."))
        try:
            seats.check_not_booked(cart_items)
        except CheckoutError as error:
            raise NotBookable(error.message) from None
        if not order.is_open(now):
            seats.check_still_free(courses, days, slots, now=now)
            shop_lines.check_still_free(units, now=now)
        if order.promo_code_id:  # under the code's lock: its total uses are never exceeded
            try:
                discounts.lock_and_check(
                    order, today=_local_today(cart_items, organization, now), lock=lock
                )
            except PromoCodeRefused as error:
                raise NotBookable(error.message) from None
        if after_read:
            after_read()
        # Last in the lock order: the eGift Cards applied to the order (by ascending id).
        gift_payments = gift_cards.spend_for_order(
            order=order, now=now, actor=actor, lock=lock, after_read=after_read
        )
        booked = _book(cart_items, order, now)
        subjects = {item.pk: booked[item.cart_item_id] for item in order_items}
        lines = order_lines(order)
        posted, charges = [], []
        # Each line with its discounts folded in: one charge of the net amount.
        for line, net, fields in discounts.order_line_charges(
            lines, currency=organization.currency
        ):
            if net <= 0:
                continue  # a free line (a class with no tuition) is sold but posts no charge
            subject = subjects.get(line.item_id)
            posted.append(line)
            charges.append(
                ledger.OrderCharge(
                    amount=net,
                    kind=line.kind,
                    due_date=line.due_date,
                    ledger_fields=fields,
                    due_now=line.due_date <= order.priced_on,
                    student=line.student,
                    subject=None if line.kind == ChargeKind.REGISTRATION_FEE else subject,
                )
            )
        # eGift Cards first (never on an eGift Card being bought: their total fits the other
        # charges), then credit, then the card payment takes exactly the rest.
        rows = ledger.post_order_charges(
            organization=organization,
            family=family,
            charges=charges,
            payment=payment,
            gift_payments=gift_payments,
            credit=credit,
            now=now,
            actor=actor,
        )
        for line, charge in zip(posted, rows, strict=True):
            line.charge = charge
        if len(posted) == 1:  # the same one UPDATE; bulk_update's CASE costs twice the CPU
            OrderLine.objects.filter(pk=posted[0].pk).update(charge=posted[0].charge)
        elif posted:
            OrderLine.objects.bulk_update(posted, ["charge"])
        order.status = OrderStatus.CONFIRMED
        order.confirmed_at = now
        order.payment = payment
        order.credit_used = credit
        order.save(update_fields=["status", "confirmed_at", "payment", "credit_used"])
        if policies is None:
            policies = transaction_policies(order)
        record_agreements(order, request.agreed, request.ip_address, user, now, policies)
        send_receipt(order)  # rendered in the task worker, after commit
        return order


def cancel_order(*, order: Order, now: datetime) -> None:
    """The family gives up a pending order: its seats are freed at once."""
    with locked_many([]):  # the lock timeout: a busy family lock is a 409, not a wait
        order = lock_order(order.organization, order.family, order.pk)
        if order.status != OrderStatus.PENDING or not order.can_become(OrderStatus.CANCELLED):
            raise CheckoutError(_("This order can no longer be cancelled."))
        order.status = OrderStatus.CANCELLED
        order.save(update_fields=["status"])


# --- housekeeping -----------------------------------------------------------------------------
def expire_orders(now: datetime) -> int:
    """Mark pending orders past their window expired (their seats already stopped counting)."""
    return Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now).update(
        status=OrderStatus.EXPIRED
    )

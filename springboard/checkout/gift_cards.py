"""eGift Cards in checkout (docs/shop.md, "eGift Cards"): pricing a card bought in the cart,
issuing it when the order is confirmed, and spending cards on an order.

"Use an eGift card" applies a card to a pending order (`OrderGiftCard`: how much of what is
due now it will pay, at most its balance then). Nothing leaves the card until the order is
confirmed: `spend_for_order` runs inside confirm's transaction, after its locks (what is sold,
the family's ledger, the order), locks the cards by ascending id, re-reads each balance and
posts the spend; the family-ledger side is an eGift Card payment allocated to the order's
charges like any payment. Two checkouts spending one card therefore queue on its row, and
the second sees what the first took: a card is never spent past its balance.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from springboard.billing.descriptions import Text, amount
from springboard.billing.models import ChargeKind
from springboard.checkout.errors import CheckoutError, NotBookable
from springboard.checkout.models import Order, OrderGiftCard
from springboard.checkout.pay_checks import PayFormRead
from springboard.checkout.pricing import PriceLine, PricingContext, _line, pricer
from springboard.core.money import ZERO
from springboard.core.prepared import Prepared
from springboard.giftcards import services as giftcards
from springboard.giftcards.models import GiftCard, GiftCardPurchase
from springboard.giftcards.tasks import send_gift_card_after_commit


# --- pricing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GiftCardItem:
    purchase: GiftCardPurchase


@pricer(GiftCardItem)
def gift_card_lines(item: GiftCardItem, context: PricingContext) -> list[PriceLine]:
    purchase = item.purchase
    currency = context.organization.currency
    if purchase.value > purchase.amount:
        computation = Text(
            "gift_card_computation",
            {
                "amount": amount(purchase.amount, currency),
                "value": amount(purchase.value, currency),
            },
        )
    else:
        computation = Text(
            "gift_card_plain_computation", {"amount": amount(purchase.amount, currency)}
        )
    return [
        _line(
            kind=ChargeKind.GIFT_CARD,
            description=Text("gift_card", {"recipient": purchase.recipient_name}),
            computation=computation,
            quantity=Decimal(1),
            amount=purchase.amount,
            due_date=context.today,
        )
    ]


# --- issuing ----------------------------------------------------------------------------------
def issue_for_item(cart_item, order: Order, *, today, now: datetime, actor=None) -> GiftCard:
    """The card of a paid cart item; its email is queued after commit when it is due today
    (a later date is the housekeeping job's)."""
    purchase = GiftCardPurchase.objects.get(cart_item=cart_item)
    card = giftcards.issue_purchase(purchase=purchase, family=order.family, now=now, actor=actor)
    if card.emailed_at is None and (card.deliver_on is None or card.deliver_on <= today):
        GiftCard.objects.filter(pk=card.pk).update(emailed_at=now)
        send_gift_card_after_commit(card)
    return card


def _cards_bought(order_id: int):
    return GiftCard.objects.filter(purchase__cart_item__order_item__order=order_id).order_by("pk")


def _cards_used(order_id: int):
    return OrderGiftCard.objects.filter(
        order_id=order_id, transaction__isnull=False
    ).select_related("card")


# The receipt's reads (the confirmation page asks both for every order), compiled once per
# process (core.prepared; docs/performance.md, "pagecost").
_BOUGHT = Prepared(_cards_bought)
_USED = Prepared(_cards_used)


def cards_bought(order: Order) -> list[GiftCard]:
    return _BOUGHT(order_id=order.pk)


# --- spending ---------------------------------------------------------------------------------
def _applied(order_id: int):
    return OrderGiftCard.objects.filter(order_id=order_id)


def _applied_with_cards(order_id: int):
    return (
        OrderGiftCard.objects.filter(order_id=order_id)
        .select_related("card__organization")
        .order_by("card_id")
    )


# Compiled once per process (core.prepared): pay asks both for every order (issue 17).
_APPLIED = Prepared(_applied)
_APPLIED_WITH_CARDS = Prepared(_applied_with_cards)
_SHOWN = Prepared(
    lambda order_id: (
        OrderGiftCard.objects.filter(order_id=order_id)
        .select_related("card")
        .order_by("applied_at", "id")
    )
)


def gift_total(order: Order, *, read: PayFormRead | None = None) -> Decimal:
    """What the eGift Cards applied to the order pay: from the pay form's read of the order
    when given (checkout.pay_checks.read_pay_form, the same sum in its statement), else
    read here."""
    if read is not None and read.order.pk == order.pk:
        return read.gift_total
    return sum((use.amount for use in _APPLIED(order_id=order.pk)), ZERO)


def payable_by_gift_card(order: Order) -> Decimal:
    """What is due now, less eGift Cards being bought (a card never pays for a card)."""
    return sum(
        (
            line.amount
            for line in order.lines.all()
            if line.due_date <= order.priced_on and line.kind != ChargeKind.GIFT_CARD
        ),
        ZERO,
    )


def apply_card(*, order: Order, code: str, now: datetime) -> OrderGiftCard:
    """Apply the card with this code to the pending order: it will pay what it can of what
    is still due now. WrongCode (one message) for any code that does not work here."""
    if not order.is_open(now):
        raise CheckoutError(_("This order is no longer waiting for payment."))
    card = giftcards.find_card(order.organization, code, now=now)
    uses = list(order.gift_cards.all())
    if any(use.card_id == card.pk for use in uses):
        raise CheckoutError(_("That eGift Card is already on this order."))
    left = payable_by_gift_card(order) - sum((use.amount for use in uses), ZERO)
    if left <= 0:
        raise CheckoutError(_("Nothing is left to pay with an eGift Card."))
    return OrderGiftCard.objects.create(
        order=order, card=card, amount=min(card.balance_sum, left), applied_at=now
    )


def remove_card(*, order: Order, use_id: int, now: datetime) -> None:
    if not order.is_open(now):
        raise CheckoutError(_("This order is no longer waiting for payment."))
    order.gift_cards.filter(pk=use_id, transaction__isnull=True).delete()


def check_cards(order: Order, *, now: datetime) -> None:
    """Before any money is taken: every applied card still has what it is to pay (read
    without a lock; confirm re-checks under it)."""
    for use in order.gift_cards.select_related("card__organization"):
        if use.card.balance() < use.amount or not giftcards.usable(use.card, use.amount, now=now):
            raise CheckoutError(
                _(
                    "The eGift Card ending %(last4)s no longer covers its part; remove it and "
                    "add it again."
                )
                % {"last4": use.card.last4}
            )


def spend_for_order(
    *, order: Order, now: datetime, actor=None, lock: bool = True, after_read=None
) -> list:
    """Inside confirm's transaction, after its locks: spend every applied card (locked by
    ascending id); the family-ledger payments to allocate. A card that no longer covers its
    part stops the whole confirmation (NotBookable: nothing posted)."""
    uses = _APPLIED_WITH_CARDS(order_id=order.pk)
    if not uses:
        return []
    if lock:
        giftcards.lock_cards([use.card_id for use in uses])
    payments = []
    for use in uses:
        card = use.card
        # One transaction (confirm's): if the card no longer covers its part, raising undoes
        # the payment posted just before it.
        payment = giftcards.spending_payment(
            card=card,
            family=order.family,
            amount=use.amount,
            key=f"order-{order.pk}-gift-card-{card.pk}",
            now=now,
            actor=actor,
        )
        try:
            row = giftcards.spend(
                card=card,
                amount=use.amount,
                now=now,
                actor=actor,
                payment=payment,
                reason=str(order),
                lock=False,  # locked above, with the order's other cards, in one order
                after_read=after_read,
            )
        except giftcards.GiftCardError as error:
            raise NotBookable(error.message) from None
        OrderGiftCard.objects.filter(pk=use.pk).update(transaction=row)
        payments.append(payment)
    return payments


# --- what the pages show ----------------------------------------------------------------------
def checkout_context(order: Order) -> dict:
    uses = _SHOWN(order_id=order.pk)
    total = sum((use.amount for use in uses), ZERO)
    return {
        "gift_uses": uses,
        "gift_total": total,
        "to_pay": order.due_now - total,
        "gift_cards_on": order.organization.portal_settings.egift_cards_enabled,
    }


def receipt_context(order: Order, *, now: datetime) -> dict:
    """The cards the order bought — each code shown here once, on the buyer's first look at
    the paid order (then only its last four) — and the cards that paid for it."""
    from springboard.giftcards.codes import code_for

    bought = []
    for card in cards_bought(order):
        shown = GiftCard.objects.filter(pk=card.pk, code_shown_at__isnull=True).update(
            code_shown_at=now
        )
        bought.append((card, code_for(card) if shown else None))
    uses = _USED(order_id=order.pk)
    return {"gift_cards_bought": bought, "gift_uses": uses}

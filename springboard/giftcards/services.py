"""Every change to eGift Cards: putting one in the cart, issuing it when paid, spending it,
moving it to account credit, voiding it. The card ledger is append-only; the balance is the
sum of its rows and is read under the card's row lock before anything is taken from it.

Lock order (docs/shop.md): whatever the caller already holds (checkout: what is sold, the
family's ledger, the order), then gift cards by ascending id, last. Moving to credit takes the
family's ledger lock, then the card. Staff voiding takes the card only. No cycle.
"""

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.billing import services as ledger
from springboard.billing.models import PaymentMethodKind
from springboard.booking.locking import BookingError
from springboard.booking.models import CartItem, ItemKind
from springboard.core.i18n import site_text
from springboard.core.money import ZERO, format_money
from springboard.giftcards import codes
from springboard.giftcards.amounts import GiftAmountError, credited, parse_gift_amount
from springboard.giftcards.models import (
    GiftCard,
    GiftCardPurchase,
    GiftCardSettings,
    GiftCardTransaction,
    TransactionKind,
)

Hook = Callable[[], None] | None
MAX_DELIVERY_DAYS = 366


class GiftCardError(BookingError):
    """A readable refusal (a BookingError, so the cart's and checkout's views show it)."""


def WRONG_CODE() -> str:  # noqa: N802 - a message, translated when raised
    # One message whether the code never existed, belongs elsewhere, is spent or voided.
    return _("That code does not work. Check it, or ask the person who gave you the card.")


class WrongCode(GiftCardError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or WRONG_CODE())


def settings_for(organization) -> GiftCardSettings:
    """The organization's settings, or the defaults (any amount from $10 to $500, no bonus)
    until an owner saves their own: the portal switch alone opens the page."""
    found = GiftCardSettings.objects.filter(organization=organization).first()
    return found or GiftCardSettings(organization=organization)


def local_today(organization, now: datetime) -> date:
    return timezone.localtime(now, zoneinfo.ZoneInfo(organization.time_zone)).date()


# --- buying ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GiftChoice:
    amount: str  # as typed or chosen; parsed against the settings
    recipient_name: str
    recipient_email: str
    sender_name: str
    message: str = ""
    deliver_on: date | None = None


def check_choice(*, organization, choice: GiftChoice, now: datetime):
    """(settings, amount, delivery date or None for now) of a valid choice, else
    GiftCardError with a readable message. Writes nothing."""
    config = settings_for(organization)
    if not organization.portal_settings.egift_cards_enabled:
        raise GiftCardError(_("eGift Cards are not sold here."))
    try:
        amount = parse_gift_amount(choice.amount, config)
    except GiftAmountError as error:
        raise GiftCardError(error.message) from None
    if not choice.recipient_name.strip() or not choice.sender_name.strip():
        raise GiftCardError(_("Say who the card is for and who it is from."))
    if not choice.recipient_email.strip():
        raise GiftCardError(_("Give the recipient's email."))
    if len(choice.message) > config.message_max_length:
        raise GiftCardError(
            _("The message can be at most %(count)s characters.")
            % {"count": config.message_max_length}
        )
    today = local_today(organization, now)
    deliver_on = choice.deliver_on
    if deliver_on is not None:
        if deliver_on < today:
            raise GiftCardError(_("Choose a delivery date from today on."))
        if deliver_on > today + timedelta(days=MAX_DELIVERY_DAYS):
            raise GiftCardError(_("Choose a delivery date within a year."))
        if deliver_on == today:
            deliver_on = None
    return config, amount, deliver_on


def add_to_cart(*, family, choice: GiftChoice, now: datetime) -> CartItem:
    """An eGift Card in the family's cart (held like any item; nothing is scarce, so no lock)."""
    organization = family.organization
    config, amount, deliver_on = check_choice(organization=organization, choice=choice, now=now)
    hold = organization.portal_settings.cart_hold_minutes
    with transaction.atomic():
        item = CartItem.objects.create(
            organization=organization,
            family=family,
            kind=ItemKind.GIFT_CARD,
            added_at=now,
            expires_at=now + timedelta(minutes=hold),
        )
        GiftCardPurchase.objects.create(
            organization=organization,
            cart_item=item,
            amount=amount,
            value=credited(amount, config),
            recipient_name=choice.recipient_name.strip()[:120],
            recipient_email=choice.recipient_email.strip()[:254],
            sender_name=choice.sender_name.strip()[:120],
            message=choice.message.strip(),
            deliver_on=deliver_on,
        )
    return item


def _expiry(config, issued_on: date) -> date | None:
    if config is None or not config.expiry_years:
        return None
    try:
        return issued_on.replace(year=issued_on.year + config.expiry_years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + config.expiry_years, day=28)


def issue(
    *,
    organization,
    amount,
    value,
    recipient_name: str,
    recipient_email: str,
    sender_name: str,
    message: str = "",
    deliver_on: date | None = None,
    purchase: GiftCardPurchase | None = None,
    bought_by=None,
    now: datetime,
    actor=None,
) -> GiftCard:
    """A new card: its code row, then "issued" (what was paid) and "bonus" (the extra)."""
    config = settings_for(organization)
    with transaction.atomic():
        for _attempt in range(5):  # a hash collision (2^-80) only ever means: a new nonce
            card = GiftCard.objects.create(
                organization=organization,
                code_hash="",
                code_nonce=codes.new_nonce(),
                last4="",
                purchase=purchase,
                bought_by=bought_by,
                amount=amount,
                recipient_name=recipient_name,
                recipient_email=recipient_email,
                sender_name=sender_name,
                message=message,
                deliver_on=deliver_on,
                issued_at=now,
                expires_on=_expiry(config, local_today(organization, now)),
            )
            code = codes.code_for(card)
            card.code_hash = codes.hash_code(organization.pk, code)
            card.last4 = code[-4:]
            try:
                with transaction.atomic():
                    card.save(update_fields=["code_hash", "last4"])
                break
            except IntegrityError:
                card.delete()
        _post(card, TransactionKind.ISSUED, amount, now=now, actor=actor)
        if value > amount:
            _post(card, TransactionKind.BONUS, value - amount, now=now, actor=actor)
    return card


def issue_purchase(*, purchase: GiftCardPurchase, family, now: datetime, actor=None) -> GiftCard:
    """The card of a paid cart item (checkout calls it when confirming the order)."""
    existing = GiftCard.objects.filter(purchase=purchase).first()
    if existing:
        return existing
    return issue(
        organization=purchase.organization,
        amount=purchase.amount,
        value=purchase.value,
        recipient_name=purchase.recipient_name,
        recipient_email=purchase.recipient_email,
        sender_name=purchase.sender_name,
        message=purchase.message,
        deliver_on=purchase.deliver_on,
        purchase=purchase,
        bought_by=family,
        now=now,
        actor=actor,
    )


def _post(card, kind, amount, *, now, actor=None, payment=None, reason="") -> GiftCardTransaction:
    return GiftCardTransaction.objects.create(
        organization=card.organization,
        card=card,
        kind=kind,
        amount=amount,
        payment=payment,
        reason=reason[:200],
        created_at=now,
        created_by=actor,
    )


# --- finding --------------------------------------------------------------------------------
def find_card(organization, code: str, *, now: datetime) -> GiftCard:
    """The usable card of this organization with this code, else WrongCode (one message for
    unknown, another organization's, spent, voided and expired)."""
    if codes.normalize(code) is None:
        raise WrongCode()
    card = (
        GiftCard.objects.for_organization(organization)
        .with_balance()
        .filter(code_hash=codes.hash_code(organization.pk, code))
        .first()
    )
    if card is None or not usable(card, card.balance_sum, now=now):
        raise WrongCode()
    return card


def usable(card: GiftCard, balance, *, now: datetime) -> bool:
    if balance <= 0:
        return False
    return not (card.expires_on and card.expires_on < local_today(card.organization, now))


def lock_cards(card_ids) -> dict[int, GiftCard]:
    """Row locks on the cards, by ascending id (call inside a transaction, last in the
    lock order)."""
    ids = sorted(set(card_ids))
    return {c.pk: c for c in GiftCard.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def spend(
    *,
    card: GiftCard,
    amount,
    now: datetime,
    actor=None,
    payment=None,
    reason: str = "",
    lock: bool = True,
    after_read: Hook = None,
) -> GiftCardTransaction:
    """Take `amount` off the card, never more than its balance (read under its row lock).
    `lock=False` and `after_read` exist for the race test."""
    with transaction.atomic():
        if lock:
            lock_cards([card.pk])
        balance = card.balance()
        if after_read:
            after_read()
        if not usable(card, balance, now=now) or amount > balance:
            raise GiftCardError(
                _(
                    "The eGift Card ending %(last4)s no longer has %(amount)s on it; remove "
                    "it and add it again."
                )
                % {
                    "last4": card.last4,
                    "amount": format_money(amount, currency=card.organization.currency),
                }
            )
        return _post(
            card,
            TransactionKind.SPENT,
            -amount,
            now=now,
            actor=actor,
            payment=payment,
            reason=reason,
        )


def spending_payment(*, card, family, amount, key: str, now: datetime, actor=None):
    """The family-ledger side of a spend: an eGift Card payment (allocated by checkout)."""
    return ledger.post_credit(
        organization=card.organization,
        family=family,
        amount=amount,
        reason=site_text(gettext_lazy("eGift Card ending %(last4)s"), last4=card.last4),
        now=now,
        actor=actor,
        idempotency_key=key,
        method=PaymentMethodKind.GIFT_CARD,
        last4=card.last4,
    )


def move_to_credit(*, card: GiftCard, family, now: datetime, actor=None) -> GiftCardTransaction:
    """Everything left on the card becomes the family's account credit: one card-ledger row
    and one family-ledger payment, in one transaction (family lock, then the card)."""
    if card.organization_id != family.organization_id:
        raise WrongCode()
    with transaction.atomic():
        ledger.lock_family(family.organization, family)
        lock_cards([card.pk])
        balance = card.balance()
        if not usable(card, balance, now=now):
            raise WrongCode()
        count = GiftCardTransaction.objects.filter(card=card).count()
        payment = ledger.post_credit(
            organization=card.organization,
            family=family,
            amount=balance,
            reason=site_text(
                gettext_lazy("eGift Card ending %(last4)s moved to credit"), last4=card.last4
            ),
            now=now,
            actor=actor,
            idempotency_key=f"gift-card-{card.pk}-to-credit-{count}",
            method=PaymentMethodKind.GIFT_CARD,
            last4=card.last4,
        )
        return _post(
            card, TransactionKind.MOVED_TO_CREDIT, -balance, now=now, actor=actor, payment=payment
        )


def void(*, card: GiftCard, reason: str, now: datetime, actor) -> GiftCardTransaction:
    """Staff void what is left on a card, saying why."""
    if not reason.strip():
        raise GiftCardError(_("Say why the card is voided."))
    with transaction.atomic():
        lock_cards([card.pk])
        balance = card.balance()
        if balance <= ZERO:
            raise GiftCardError(_("Nothing is left on this card to void."))
        return _post(
            card, TransactionKind.VOIDED, -balance, now=now, actor=actor, reason=reason.strip()
        )

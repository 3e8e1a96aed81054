"""eGift Cards (docs/shop.md, "eGift Cards"): the organization's settings, a card bought in the
cart (`GiftCardPurchase`, one per cart item), the card itself and its append-only ledger.

A card's balance is the sum of its `GiftCardTransaction` rows (issued, bonus, spent on an
order, moved to account credit, voided by staff), never a stored number. Its code is stored
only as a keyed hash plus the last four characters (giftcards.codes).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from springboard.billing.models import MONEY, AppendOnlyModel
from springboard.core.images import ResizedImageField
from springboard.core.money import ZERO
from springboard.families.models import Family
from springboard.tenancy.models import TenantModel, TenantQuerySet

# Many places forbid gift cards that expire within five years of purchase.
MIN_EXPIRY_YEARS = 5
MAX_MESSAGE_LENGTH = 1000


class GiftCardSettings(TenantModel):
    """What an organization sells as eGift Cards (the portal switch is PortalSettings')."""

    title = models.CharField(_("title"), max_length=60, default="eGift Cards")
    fixed_amounts = models.CharField(
        _("fixed amounts"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, e.g. 25, 50, 100. Leave empty to offer any amount only."),
    )
    any_amount = models.BooleanField(_("any amount between the minimum and maximum"), default=True)
    minimum_amount = models.DecimalField(
        _("minimum amount"), **MONEY, default=Decimal("10.00"), validators=[MinValueValidator(1)]
    )
    maximum_amount = models.DecimalField(
        _("maximum amount"), **MONEY, default=Decimal("500.00"), validators=[MinValueValidator(1)]
    )
    bonus_multiplier = models.DecimalField(
        _("bonus multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("2.00"))],
        help_text=_("1.10 credits $110 for $100. 1.00: no multiplier."),
    )
    bonus_step = models.DecimalField(
        _("bonus for every"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("With the bonus amount: e.g. every $100 bought gets $10 extra."),
    )
    bonus_per_step = models.DecimalField(
        _("bonus amount"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    design_image = ResizedImageField(
        _("card design"), upload_to="giftcards/", blank=True, max_dimension=1200
    )
    message_max_length = models.PositiveSmallIntegerField(
        _("message length limit"),
        default=200,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MESSAGE_LENGTH)],
    )
    expiry_years = models.PositiveSmallIntegerField(
        _("expires after (whole years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_EXPIRY_YEARS), MaxValueValidator(100)],
        help_text=_("Empty: never expires. At least five years."),
    )

    class Meta:
        verbose_name = _("eGift Card settings")
        verbose_name_plural = _("eGift Card settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_gift_card_settings_each")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def amounts(self) -> list[Decimal]:
        """The fixed amounts, in order (unreadable entries are refused by clean())."""
        found = []
        for part in self.fixed_amounts.split(","):
            part = part.strip()
            if part:
                try:
                    found.append(Decimal(part).quantize(Decimal("0.01")))
                except ArithmeticError:
                    continue
        return sorted(set(found))

    def clean(self) -> None:
        from springboard.giftcards.amounts import parse_plain_amount

        for part in self.fixed_amounts.split(","):
            if part.strip() and parse_plain_amount(part) is None:
                raise ValidationError({"fixed_amounts": _("Write amounts like 25, 50, 100.")})
        if (
            self.minimum_amount
            and self.maximum_amount
            and self.minimum_amount > self.maximum_amount
        ):
            raise ValidationError({"maximum_amount": _("The maximum is below the minimum.")})
        if not self.any_amount and not self.fixed_amounts.strip():
            raise ValidationError(_("Offer fixed amounts, any amount, or both."))
        if (self.bonus_step is None) != (self.bonus_per_step is None):
            raise ValidationError({"bonus_per_step": _("Give both the step and its bonus.")})


class GiftCardPurchase(TenantModel):
    """An eGift card in a cart: what was chosen. Checkout issues the card when it is paid."""

    cart_item = models.OneToOneField(
        "booking.CartItem", on_delete=models.CASCADE, related_name="gift_card_purchase"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    value = models.DecimalField(_("credited"), **MONEY)  # amount + bonus
    recipient_name = models.CharField(_("recipient's name"), max_length=120)
    recipient_email = models.EmailField(_("recipient's email"))
    sender_name = models.CharField(_("from"), max_length=120)
    message = models.TextField(_("message"), blank=True, max_length=MAX_MESSAGE_LENGTH)
    deliver_on = models.DateField(_("deliver on"), null=True, blank=True)  # None: at once

    class Meta:
        verbose_name = _("eGift Card purchase")

    def __str__(self) -> str:
        return f"{self.amount} → {self.recipient_name}"

    @property
    def bonus(self) -> Decimal:
        return self.value - self.amount


def _total(path: str):
    """A card's balance in SQL: the sum of its transactions, rounded to cents there, since
    SQLite (the demo's database) adds decimals as floats (60.94 - 60.94 + ... = 1.8e-15, which
    would look like a card with money left)."""
    return models.functions.Coalesce(
        models.functions.Round(Sum(path), 2), ZERO, output_field=models.DecimalField(**MONEY)
    )


class GiftCardQuerySet(TenantQuerySet):
    def with_balance(self):
        return self.annotate(balance_sum=_total("transactions__amount"))


class GiftCard(TenantModel):
    code_hash = models.CharField(max_length=64, editable=False)
    code_nonce = models.CharField(max_length=32, editable=False)
    last4 = models.CharField(_("last four"), max_length=4, editable=False)
    purchase = models.OneToOneField(
        GiftCardPurchase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card",
        verbose_name=_("bought in"),
    )
    bought_by = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_cards_bought",
        verbose_name=_("bought by"),
    )
    amount = models.DecimalField(_("amount paid"), **MONEY)
    recipient_name = models.CharField(_("recipient's name"), max_length=120)
    recipient_email = models.EmailField(_("recipient's email"))
    sender_name = models.CharField(_("from"), max_length=120)
    message = models.TextField(_("message"), blank=True, max_length=MAX_MESSAGE_LENGTH)
    deliver_on = models.DateField(_("deliver on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    code_shown_at = models.DateTimeField(_("code shown to the buyer"), null=True, blank=True)

    objects = GiftCardQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("eGift Card")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code_hash"], name="gift_code_unique")
        ]
        indexes = [models.Index(fields=["deliver_on", "emailed_at"])]

    def __str__(self) -> str:
        return f"eGift ••••{self.last4}"

    @property
    def masked_code(self) -> str:
        return f"••••-••••-••••-{self.last4}"

    def balance(self) -> Decimal:
        return GiftCardTransaction.objects.filter(card=self).aggregate(total=_total("amount"))[
            "total"
        ]


class TransactionKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    BONUS = "bonus", _("Bonus")
    SPENT = "spent", _("Spent")
    MOVED_TO_CREDIT = "to_credit", _("Moved to account credit")
    VOIDED = "voided", _("Voided")


class GiftCardTransaction(AppendOnlyModel):
    """One movement on a card: + issued and bonus, − spent, moved to credit or voided."""

    card = models.ForeignKey(
        GiftCard, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("card")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TransactionKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    # The family-ledger row of a spend (a gift-card payment allocated to the order's charges)
    # or of a move to credit; the order that spent it links here (checkout.OrderGiftCard).
    payment = models.ForeignKey(
        "billing.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_card_transactions",
        verbose_name=_("account payment"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("eGift Card transaction")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="gift_transaction_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["issued", "bonus"], amount__gt=0)
                | Q(kind__in=["spent", "to_credit", "voided"], amount__lt=0),
                name="gift_transaction_sign_of_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

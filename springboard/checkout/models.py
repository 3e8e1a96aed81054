"""What checkout adds on top of the catalogue's prices: the registration fee schedule, and
orders (docs/checkout.md).

An `Order` is made *pending* from the family's held cart items (`OrderItem`, one per cart
item, which is marked converted) and keeps their seats until `expires_at` (the payment
window); its priced `OrderLine`s become charges when it is paid. Status moves only along
`TRANSITIONS`.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from springboard.billing import descriptions
from springboard.tenancy.models import TenantModel, TenantQuerySet

PAYMENT_WINDOW_MINUTES = 15


class FeeApplies(models.TextChoices):
    PER_FAMILY = "family", _("once per family")
    PER_STUDENT = "student", _("once per student")


class FeeFrequency(models.TextChoices):
    YEARLY = "yearly", _("every 12 months")
    ONCE = "once", _("once ever")


class FeeSchedule(TenantModel):
    """A registration fee, added to a checkout with a class enrollment when it is due: not
    due while a (not voided) registration-fee charge of the family — or of the student, when
    charged per student — was posted within the last 12 months (or ever, for "once")."""

    name = models.CharField(_("name"), max_length=120, default=_("Registration fee"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    applies = models.CharField(
        _("charged"), max_length=10, choices=FeeApplies.choices, default=FeeApplies.PER_FAMILY
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=FeeFrequency.choices, default=FeeFrequency.YEARLY
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("registration fee")

    def __str__(self) -> str:
        return self.name


# --- discounts (checkout/discounts.py applies them; docs/billing.md "Discounts and promo codes")
class DiscountValue(models.TextChoices):
    PERCENT = "percent", _("percent off")
    AMOUNT = "amount", _("amount off")


class Discount(TenantModel):
    """What a discount takes off: a percent (0 < p <= 100) or an amount (> 0) of each line."""

    value_type = models.CharField(
        _("type"), max_length=10, choices=DiscountValue.choices, default=DiscountValue.PERCENT
    )
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        help_text=_("A percent (up to 100) or an amount of money, never negative."),
    )
    program = models.ForeignKey(
        "catalog.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("program"),
        help_text=_("Leave empty for every program."),
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.value is None:
            return
        if self.value <= 0:
            raise ValidationError({"value": _("A discount must be more than zero.")})
        if self.value_type == DiscountValue.PERCENT and self.value > 100:
            raise ValidationError({"value": _("A discount cannot be more than 100%.")})

    @classmethod
    def value_constraints(cls, prefix: str) -> list:
        return [
            models.CheckConstraint(condition=Q(value__gt=0), name=f"{prefix}_value_positive"),
            models.CheckConstraint(
                condition=~Q(value_type=DiscountValue.PERCENT) | Q(value__lte=100),
                name=f"{prefix}_percent_at_most_100",
            ),
        ]


class DiscountRuleKind(models.TextChoices):
    SIBLING = "sibling", _("Sibling: the second and further students of a family in a term")
    MULTI_CLASS = "multi_class", _("Multi-class: a student's second and further classes")


class DiscountRule(Discount):
    """Taken off class tuition by the pricing service, at checkout and in the monthly run."""

    name = models.CharField(_("name"), max_length=120, help_text=_("Shown on the family's lines."))
    kind = models.CharField(_("kind"), max_length=20, choices=DiscountRuleKind.choices)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("discount rule")
        constraints = Discount.value_constraints("discount_rule")

    def __str__(self) -> str:
        return self.name


class PromoApplies(models.TextChoices):
    EVERYTHING = "all", _("Everything in the order")
    CLASSES = "classes", _("Class tuition")
    EVENTS = "events", _("Camps and events")
    PARTIES = "parties", _("Parties")


class PromoCode(Discount):
    """A code a family types at checkout. Used once its order is paid (confirmed)."""

    code = models.CharField(
        _("code"), max_length=40, help_text=_("Letters and digits; case does not matter.")
    )
    applies_to = models.CharField(
        _("applies to"),
        max_length=10,
        choices=PromoApplies.choices,
        default=PromoApplies.EVERYTHING,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("total uses"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    once_per_family = models.BooleanField(_("once per family"), default=True)
    minimum_order = models.DecimalField(
        _("minimum order"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("promo code")
        constraints = [
            *Discount.value_constraints("promo_code"),
            models.UniqueConstraint(
                "organization", Upper("code"), name="one_promo_code_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        self.code = normalize_code(self.code or "")
        if not self.code:
            raise ValidationError({"code": _("Enter a code.")})
        if not self.code.isascii() or not self.code.replace("-", "").isalnum():
            raise ValidationError({"code": _("Use letters, digits and dashes only.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The last day comes before the first.")})


def normalize_code(text: str) -> str:
    return text.strip().upper()


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# The one transition table: a pending order is paid (confirmed), or cancelled, or expires.
# An expired order is confirmed only by a payment that was taken inside the window but
# answered after it, when its places are still free (checkout.services.confirm); whether the
# sweep marked it expired meanwhile makes no difference.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset(
        {OrderStatus.CONFIRMED, OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    ),
    OrderStatus.CONFIRMED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset({OrderStatus.CONFIRMED}),
}


class OrderQuerySet(TenantQuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def keeping_seats(self, now: datetime):
        """Pending and inside the payment window (checked on read: never waits for the sweep)."""
        return self.filter(status=OrderStatus.PENDING, expires_at__gt=now)


class Order(TenantModel):
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("payment window ends"))
    confirmed_at = models.DateTimeField(_("paid"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    due_now = models.DecimalField(_("due now"), max_digits=12, decimal_places=2)
    priced_on = models.DateField(_("priced on"))  # lines due on or before it are due now
    credit_used = models.DecimalField(
        _("credit used"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    # The pay form carries the attempt; a decline moves it on, so a retry uses a new key
    # while a double submit of the same form reuses the same one.
    attempt = models.PositiveIntegerField(_("payment attempt"), default=1)
    # One card/bank payment per order, at most (a OneToOne column: a second cannot be set).
    payment = models.OneToOneField(
        "billing.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The code the family entered; it counts as used once the order is confirmed.
    promo_code = models.ForeignKey(
        PromoCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("promo code"),
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return _("Order %(number)s") % {"number": self.pk}

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def is_open(self, now: datetime) -> bool:
        return self.status == OrderStatus.PENDING and self.expires_at > now

    def idempotency_key(self, attempt: int | None = None) -> str:
        return self.key_of(self.pk, attempt or self.attempt)

    @staticmethod
    def key_of(order_id: int, attempt: int) -> str:
        """The payment key of an order's attempt (the pay form reads it with the order)."""
        return f"order-{order_id}-attempt-{attempt}"

    @property
    def due_later(self) -> Decimal:
        return self.total - self.due_now


class OrderItem(models.Model):
    """What the order sells: one converted cart item (course seat, camp days, party slot)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    cart_item = models.OneToOneField(
        "booking.CartItem", on_delete=models.PROTECT, related_name="order_item"
    )

    def __str__(self) -> str:
        return str(self.cart_item)


class OrderLine(models.Model):
    """One priced line (pricing service), which becomes one charge when the order is paid."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        OrderItem, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20)
    # As on the charge it becomes: a key and arguments put into words when read
    # (billing.descriptions), and a plain rendering in the site's language.
    description = models.CharField(_("description"), max_length=200)
    description_key = models.CharField(_("description key"), max_length=60, blank=True, default="")
    description_args = models.JSONField(_("description arguments"), blank=True, default=dict)
    computation = models.CharField(_("how it was computed"), max_length=300, blank=True)
    computation_key = models.CharField(_("computation key"), max_length=60, blank=True, default="")
    computation_args = models.JSONField(_("computation arguments"), blank=True, default=dict)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("1"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due"))
    student = models.ForeignKey(
        "families.Student", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.OneToOneField(
        "billing.Charge", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A discount line (kind "discount", a negative amount) takes money off the line it names;
    # both are posted as one charge of the net amount (checkout.discounts.fold).
    discount_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="discount_lines"
    )
    discount_rule = models.ForeignKey(
        DiscountRule, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.render_description()

    def render_description(self) -> str:
        """In the reader's (the active) language."""
        return descriptions.render_or(self.description_key, self.description_args, self.description)

    def render_computation(self) -> str:
        return descriptions.render_or(self.computation_key, self.computation_args, self.computation)

    render_description.short_description = _("description")
    render_computation.short_description = _("how it was computed")

    def ledger_fields(self) -> dict:
        """What the charge this line becomes stores of its text (the same six columns)."""
        return {
            name: getattr(self, name)
            for prefix in ("description", "computation")
            for name in (prefix, f"{prefix}_key", f"{prefix}_args")
        }


class OrderGiftCard(models.Model):
    """An eGift Card applied to a pending order ("Use an eGift card"): what it will pay of
    what is due now. Nothing leaves the card until the order is confirmed, when the spend is
    posted under the card's lock (`transaction`; checkout.gift_cards)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="gift_cards")
    card = models.ForeignKey(
        "giftcards.GiftCard", on_delete=models.PROTECT, related_name="order_uses"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    applied_at = models.DateTimeField(_("applied"))
    transaction = models.OneToOneField(
        "giftcards.GiftCardTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_use",
    )

    class Meta:
        ordering = ["applied_at", "id"]
        verbose_name = _("eGift Card on an order")
        constraints = [
            models.UniqueConstraint(fields=["order", "card"], name="one_use_of_a_card_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.card} · {self.order}"

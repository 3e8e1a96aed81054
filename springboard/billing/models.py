"""The family ledger: charges, payments, allocations, voids and refunds — append-only.

Nothing posted is edited or deleted: corrections are new rows (a void reverses a charge and
frees its allocations into credit; a refund returns unallocated money to its payment method;
a credit adjustment is a payment without a gateway). Balances and credit are never stored:
`springboard.billing.balances` computes them with aggregate queries.

Every row is written by `springboard.billing.services` (which locks the family first);
the save/delete guards below refuse edits from anywhere else, the admin included.
"""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from springboard.billing import descriptions
from springboard.billing.autopay_models import (  # noqa: F401  (their own module: autopay)
    AutopayAttempt,
    BillingSettings,
    ChargeClaim,
)
from springboard.families.models import Family, Student
from springboard.tenancy.append_only import (  # noqa: F401  (the ledger's base, used here and beyond)
    AppendOnlyModel,
    AppendOnlyQuerySet,
    PostedRowError,
)
from springboard.tenancy.models import TenantModel

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class ChargeKind(models.TextChoices):
    TUITION = "tuition", _("Tuition")
    REGISTRATION_FEE = "registration_fee", _("Registration fee")
    EVENT = "event", _("Event")
    PARTY = "party", _("Party")
    PRODUCT = "product", _("Product")
    TAX = "tax", _("Sales tax")
    FEE = "fee", _("Other fee")
    GIFT_CARD = "gift_card", _("eGift Card")


class Charge(AppendOnlyModel):
    """Money the family owes, due on a date. What it is for is linked optionally (`subject`),
    so enrollments, event registrations, party bookings and products can all be charged."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="charges", verbose_name=_("family")
    )
    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChargeKind.choices)
    # What the family reads is put into words when it is read (billing.descriptions): a key
    # and its arguments, written once with the row. `description` and `computation` keep a
    # plain rendering in the site's language, and are all that staff-entered charges (and
    # charges posted before structured text) have.
    description = models.CharField(_("description"), max_length=200)
    description_key = models.CharField(_("description key"), max_length=60, blank=True, default="")
    description_args = models.JSONField(_("description arguments"), blank=True, default=dict)
    computation = models.CharField(_("how it was computed"), max_length=300, blank=True)
    computation_key = models.CharField(_("computation key"), max_length=60, blank=True, default="")
    computation_args = models.JSONField(_("computation arguments"), blank=True, default=dict)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    due_date = models.DateField(_("due"))
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # Set by forms that may be submitted twice (the staff admin): the same key posts once.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("charge")
        indexes = [
            models.Index(fields=["family", "due_date"]),
            models.Index(fields=["family", "kind", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="charge_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.render_description()} ({self.amount})"

    def render_description(self) -> str:
        """What the charge is for, in the reader's (the active) language."""
        return descriptions.render_or(self.description_key, self.description_args, self.description)

    def render_computation(self) -> str:
        return descriptions.render_or(self.computation_key, self.computation_args, self.computation)

    render_description.short_description = _("description")
    render_computation.short_description = _("how it was computed")


class ChargeVoid(AppendOnlyModel):
    """The reversal of a charge: it no longer counts, and what was allocated to it is credit."""

    charge = models.OneToOneField(
        Charge, on_delete=models.PROTECT, related_name="void", verbose_name=_("charge")
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("charge void")

    def __str__(self) -> str:
        return f"Void of {self.charge}"


class PaymentMethodKind(models.TextChoices):
    CARD = "card", _("Card")
    ECHECK = "echeck", _("eCheck")
    CREDIT_ADJUSTMENT = "credit", _("Credit adjustment")
    # Money from an eGift Card: spent on an order or moved to credit (giftcards' ledger).
    GIFT_CARD = "gift_card", _("eGift Card")


class PaymentStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    DECLINED = "declined", _("Declined")
    INSUFFICIENT_FUNDS = "insufficient_funds", _("Insufficient funds")
    FAILED = "failed", _("Failed")


class Payment(AppendOnlyModel):
    """Money received (or credited by staff). Only succeeded payments count; a declined
    attempt is kept so that retrying the same idempotency key gives the same answer."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="payments", verbose_name=_("family")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethodKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices)
    message = models.CharField(_("message"), max_length=200, blank=True)
    # What the gateway told us, and nothing more: never a card or account number.
    gateway = models.CharField(_("gateway"), max_length=40, blank=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    token = models.CharField(_("payment method token"), max_length=100, blank=True)
    brand = models.CharField(_("card brand or bank"), max_length=40, blank=True)
    last4 = models.CharField(_("last four"), max_length=4, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("received"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        indexes = [models.Index(fields=["family", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="payment_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} ({self.get_status_display()})"

    @property
    def succeeded(self) -> bool:
        return self.status == PaymentStatus.SUCCEEDED

    @property
    def method_label(self) -> str:
        if self.method == PaymentMethodKind.CREDIT_ADJUSTMENT:
            return str(_("Credit adjustment"))
        return f"{self.brand} ••••{self.last4}".strip()


class Allocation(AppendOnlyModel):
    """Part of a payment applied to a charge. Allocations to a voided charge stop counting
    (the void frees them into credit) but stay as history."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("payment")
    )
    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("charge")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} to charge {self.charge_id}"


class Refund(AppendOnlyModel):
    """Unallocated money of a payment returned to its payment method through the gateway."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    reason = models.CharField(_("reason"), max_length=200)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="refund_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} of payment {self.payment_id}"


class RefundOutcome(AppendOnlyModel):
    """What the gateway answered for a refund. The Refund row is posted first (it reserves
    the money under the ledger lock); the gateway is then called outside any transaction and
    its answer is posted here. A refund counts unless its outcome failed: one still without
    an outcome (the gateway did not answer) keeps its money reserved until the same key is
    retried."""

    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, related_name="outcome", verbose_name=_("refund")
    )
    succeeded = models.BooleanField(_("succeeded"))
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("refund outcome")

    def __str__(self) -> str:
        return f"Refund {self.refund_id}: {'succeeded' if self.succeeded else 'failed'}"


class SavedPaymentMethod(TenantModel):
    """A family's card or bank account as the gateway's token plus what may be shown.

    Not part of the ledger: families remove methods and change the default."""

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="payment_methods", verbose_name=_("family")
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[(PaymentMethodKind.CARD, _("Card")), (PaymentMethodKind.ECHECK, _("eCheck"))],
    )
    gateway = models.CharField(_("gateway"), max_length=40)
    token = models.CharField(_("token"), max_length=100)
    brand = models.CharField(_("card brand or bank"), max_length=40)
    last4 = models.CharField(_("last four"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    autopay = models.BooleanField(_("autopay"), default=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        verbose_name = _("saved payment method")
        constraints = [
            models.UniqueConstraint(
                fields=["family", "gateway", "token"], name="saved_method_token_unique"
            ),
            models.UniqueConstraint(
                fields=["family"], condition=Q(is_default=True), name="one_default_method"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        expiry = f" {self.exp_month:02d}/{self.exp_year % 100:02d}" if self.exp_month else ""
        return f"{self.brand} ••••{self.last4}{expiry}"


def subject_fields(subject) -> dict:
    """The generic link of a charge to what it is for (None: nothing)."""
    if subject is None:
        return {}
    return {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
    }

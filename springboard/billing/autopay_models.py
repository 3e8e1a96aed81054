"""Billing settings per organization, autopay attempts, and claims on charges being paid.

Imported by `billing.models` (so Django finds them); kept in their own module so the ledger's
models file stays as it was. Foreign keys name their models by string.

- `BillingSettings`: the billing day of the monthly run, the autopay retry schedule, how many
  days before a party (or camp) the rest after the deposit is due. No row: the defaults.
- `AutopayAttempt`: one try of autopay to collect one charge (number 1, 2, 3… by the retry
  schedule). It is recorded *before* the gateway is called (the intent, like a Refund before
  its RefundOutcome) and answered after; its idempotency key is per charge and attempt.
- `ChargeClaim`: "this charge is being paid right now with key K", taken under the family's
  ledger lock before a gateway call and released after it, by autopay and by the family's own
  pay form alike, so the two never charge a card for the same charge at once.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel

DEFAULT_RETRY_DAYS = "2,5"
CLAIM_MINUTES = 10


def parse_retry_days(text: str) -> list[int]:
    """ "2,5" → [2, 5]: days after the first attempt, increasing, 1…60."""
    days = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or len(part) > 2:
            raise ValidationError(_("Write the retry days as whole numbers, e.g. 2,5."))
        days.append(int(part))
    if any(d < 1 or d > 60 for d in days) or days != sorted(set(days)) or len(days) > 5:
        raise ValidationError(
            _("Retry days are up to five increasing numbers from 1 to 60, e.g. 2,5.")
        )
    return days


class BillingSettings(TenantModel):
    organization = models.OneToOneField(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        related_name="billing_settings",
        verbose_name=_("organization"),
    )
    billing_day = models.PositiveSmallIntegerField(
        _("billing day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "Day of the month the monthly tuition run posts the coming month (1–28). On the "
            "1st it posts the month that starts that day; later days post the next month."
        ),
    )
    retry_days = models.CharField(
        _("autopay retries (days after the first try)"),
        max_length=20,
        default=DEFAULT_RETRY_DAYS,
        blank=True,
        validators=[parse_retry_days],
        help_text=_("E.g. 2,5: try again 2 and 5 days after a declined first try. Empty: none."),
    )
    balance_due_days = models.PositiveSmallIntegerField(
        _("rest after a deposit due (days before)"),
        default=0,
        validators=[MaxValueValidator(90)],
        help_text=_(
            "A party's or camp's rest after the deposit is due this many days before it "
            "(0: on the day)."
        ),
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(_("Billing settings"))

    @property
    def retries(self) -> list[int]:
        return parse_retry_days(self.retry_days)


def billing_settings(organization) -> BillingSettings:
    """The organization's settings, or the defaults (unsaved) when it has none."""
    found = BillingSettings.objects.filter(organization=organization).first()
    return found or BillingSettings(organization=organization)


class AttemptStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the gateway")
    APPROVED = "approved", _("Paid")
    DECLINED = "declined", _("Declined")
    SKIPPED = "skipped", _("Not tried")
    ERROR = "error", _("Gateway unavailable")


class AutopayAttempt(TenantModel):
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    charge = models.ForeignKey(
        "billing.Charge",
        on_delete=models.PROTECT,
        related_name="autopay_attempts",
        verbose_name=_("charge"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method_label = models.CharField(_("payment method"), max_length=60, blank=True)
    status = models.CharField(
        _("outcome"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.PENDING
    )
    message = models.CharField(_("message"), max_length=200, blank=True)
    payment = models.OneToOneField(
        "billing.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="autopay_attempt",
        verbose_name=_("payment"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    created_at = models.DateTimeField(_("tried"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    is_last = models.BooleanField(
        _("last try"), default=False, help_text=_("No retry follows a decline of this one.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("autopay attempt")
        constraints = [
            models.UniqueConstraint(fields=["charge", "number"], name="one_attempt_per_number"),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="autopay_attempt_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Autopay {self.number} of charge {self.charge_id}: {self.get_status_display()}"

    @property
    def declined(self) -> bool:
        return self.status == AttemptStatus.DECLINED

    def tried_on(self, zone) -> date:
        return self.created_at.astimezone(zone).date()


class ChargeClaim(TenantModel):
    """A charge being paid right now (see the module's docstring). Not ledger: released by
    setting `released_at`; one left by a crash stops counting at `expires_at`."""

    charge = models.ForeignKey("billing.Charge", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["charge", "released_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("claimed_at")),
                name="claim_expires_after_it_starts",
            )
        ]

    @staticmethod
    def expiry(now: datetime) -> datetime:
        return now + timedelta(minutes=CLAIM_MINUTES)

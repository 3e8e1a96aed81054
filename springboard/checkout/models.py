"""What checkout adds on top of the catalogue's prices: the registration fee schedule.
(Orders join here once the cart lands.)"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel


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

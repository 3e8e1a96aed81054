"""A record of each billing run that posted charges (or that staff posted by hand)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class BillingRun(TenantModel):
    period = models.DateField(_("month billed"))  # its first day
    due_date = models.DateField(_("due"))
    created_at = models.DateTimeField(_("posted"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    families = models.PositiveIntegerField(_("families"), default=0)
    tuition_charges = models.PositiveIntegerField(_("tuition charges"), default=0)
    fee_charges = models.PositiveIntegerField(_("registration fees"), default=0)
    total = models.DecimalField(_("total"), **MONEY, default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("billing run")
        indexes = [models.Index(fields=["organization", "period"])]

    def __str__(self) -> str:
        return f"{self.period:%B %Y} ({self.created_at:%Y-%m-%d %H:%M})"

"""The waiting room's switch and pace, one row per organization (docs/booking.md,
"Waiting room"). No row, or the switch off: no waiting room."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel
from springboard.waitingroom import published

# Families admitted a minute. docs/performance.md ("The opening itself, spread too"): on 2
# cores shared with the load generator, with the waiting page spreading each batch over its
# 10 s, admitted families' p95 was 122 and 139 ms at 600 a minute (two runs), 647 ms at
# 1,000, where the server's ceiling (~870 bookings a minute) is near. 600 keeps the aim with
# most of its budget to spare, for late arrivals' logins and other organizations. Since 4 Dec
# the same cores (3 workers) carry 1,200 a minute with p95 0.44-0.46 s ("The classes page kept
# whole"); 600 stays, half of that, for a second organization opening in the same minute.
DEFAULT_ADMISSIONS_PER_MINUTE = 600
DEFAULT_PASS_MINUTES = 20  # longer than a cart hold (15 minutes) plus paying


class WaitingRoom(TenantModel):
    is_on = models.BooleanField(
        _("waiting room on"),
        default=True,
        help_text=_("Switch off to let every family book at once, even during an opening."),
    )
    admissions_per_minute = models.PositiveIntegerField(
        _("families admitted a minute"),
        default=DEFAULT_ADMISSIONS_PER_MINUTE,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    pass_minutes = models.PositiveIntegerField(
        _("minutes an admitted family may book"),
        default=DEFAULT_PASS_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    opens_window_minutes = models.PositiveIntegerField(
        _("waiting room opens (minutes before registration opens)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    rush_minutes = models.PositiveIntegerField(
        _("waiting room stays (minutes after registration opens)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )

    class Meta:
        verbose_name = _("waiting room")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="waiting_room_one_per_org")
        ]

    def __str__(self) -> str:
        return str(_("Waiting room"))

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        published.publish(self.organization_id, self)

    def delete(self, *args, **kwargs):
        organization_id = self.organization_id
        result = super().delete(*args, **kwargs)
        published.publish(organization_id, None)
        return result

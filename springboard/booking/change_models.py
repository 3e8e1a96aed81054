"""A family's change of plans (docs/booking.md, "Requests and the activity queue"): one row
per drop or transfer a family asks for, whether the rules apply it at once (`done`) or staff
decide (`pending` → `approved` / `denied`). A transfer's row also holds the new class's seat
while the family is in the step (`held`, until `hold_expires_at`) and while staff decide
(`pending`, until `hold_expires_at` = sent + the rules' days; then `expired`):
booking.availability counts it, as it counts a cart hold.

Absences and makeups (kinds `absence`, `makeup`) are the attendance app's: no enrollment
(so the unique rule below never ties them to a drop or a transfer), `to_course` and
`effective_on` naming the meeting; their Absence / Makeup row links to the request and holds
(or not) the place.
Imported by booking.models (Django loads an app's models from there)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.catalog.models import Course
from springboard.families.models import Family, Student
from springboard.tenancy.models import TenantModel, TenantQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class ChangeKind(models.TextChoices):
    DROP = "drop", _("Drop")
    TRANSFER = "transfer", _("Transfer")
    # The attendance app's requests (docs/booking.md, "Absences and makeups"): no
    # enrollment (the unique rule above is a drop's and a transfer's), `to_course` and
    # `effective_on` name the meeting; the Absence / Makeup row links back and holds it.
    ABSENCE = "absence", _("Absence")
    MAKEUP = "makeup", _("Makeup")


ATTENDANCE_KINDS = [ChangeKind.ABSENCE, ChangeKind.MAKEUP]


class ChangeStatus(models.TextChoices):
    HELD = "held", _("Seat held (choosing)")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    DONE = "done", _("Done")
    LAPSED = "lapsed", _("Not sent")
    EXPIRED = "expired", _("Expired: not decided in time")


OPEN_STATUSES = [ChangeStatus.HELD, ChangeStatus.PENDING]


class ChangeRequestQuerySet(TenantQuerySet):
    def holding_seat(self, now):
        """Transfers whose new seat is kept: in the step, or waiting for staff, until
        `hold_expires_at` (a pending one: the rules' days to decide; a row from before
        that rule, without a time, until decided)."""
        unexpired = models.Q(hold_expires_at__gt=now)
        return self.filter(kind=ChangeKind.TRANSFER).filter(
            models.Q(status=ChangeStatus.HELD) & unexpired
            | models.Q(status=ChangeStatus.PENDING)
            & (unexpired | models.Q(hold_expires_at__isnull=True))
        )


class ChangeRequest(TenantModel):
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("family")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    enrollment = models.ForeignKey(
        "booking.Enrollment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("enrollment"),
    )
    kind = models.CharField(_("what"), max_length=12, choices=ChangeKind.choices)
    to_course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incoming_transfers",
        verbose_name=_("transfer to"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    effective_on = models.DateField(_("takes effect"), null=True, blank=True)
    money_summary = models.TextField(_("money"), blank=True)
    price_difference = models.DecimalField(_("price difference"), **MONEY, null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("seat held until"), null=True, blank=True)
    language = models.CharField(_("family's language"), max_length=10, blank=True)
    staff_note = models.TextField(_("note to the family"), blank=True)
    created_at = models.DateTimeField(_("asked"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("activity queue (change requests)")
        indexes = [
            models.Index(fields=["organization", "status", "created_at"]),
            models.Index(fields=["to_course", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=models.Q(status__in=["held", "pending"]),
                name="one_open_change_per_enrollment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.student} · {self.get_status_display()}"

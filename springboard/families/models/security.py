"""Emailed one-time codes and failed-login records (the throttle)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("Confirm email at sign-up")
    RESET = "reset", _("Reset password")
    EMAIL_CHANGE = "email_change", _("Confirm a new email")


class EmailCode(models.Model):
    """A 6-digit code sent to `email`; only its keyed hash is stored."""

    purpose = models.CharField(max_length=20, choices=CodePurpose.choices)
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["purpose", "email", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.email}"


class LoginFailure(models.Model):
    """One wrong password: counted per (email, IP) and per IP over the lockout window."""

    email = models.CharField(max_length=254)
    ip_address = models.GenericIPAddressField(null=True)
    failed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["email", "ip_address", "failed_at"]),
            models.Index(fields=["ip_address", "failed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address}"

"""API tokens for the mobile apps (docs/api.md, "Authentication").

A token is a random secret shown once; only its SHA-256 is stored (like a password reset
token, it is long and random, so a fast hash is enough). It belongs to one login in one
organization and acts for the family that login is a guardian of there. Deleting the row
revokes it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel


class ApiToken(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or f"API token {self.pk}"

"""A family's private calendar feed (docs/accounts.md, "Calendar feed")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel


class CalendarFeed(TenantModel):
    """The family's one feed URL. The token is derived from the nonce under a server key and
    only its keyed hash is stored (families.calendar_feeds); a reset replaces both."""

    family = models.OneToOneField(
        "families.Family", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"calendar feed of family {self.family_id}"

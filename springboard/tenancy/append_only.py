"""Rows that are inserted once and never changed: the family ledger's (billing), the stock
ledger's (shop) and the eGift Card ledger's. save() of an existing row, delete() and queryset
update()/delete() raise; a mistake is corrected by a new row. Here, below the apps that keep
ledgers, so apps on the same rung (billing, shop) share one implementation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import TenantModel, TenantQuerySet


class PostedRowError(Exception):
    """Someone tried to edit or delete a posted ledger row (a programming error)."""


class AppendOnlyQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise PostedRowError("Ledger rows are never updated; post a correcting row instead.")

    def delete(self):
        raise PostedRowError("Ledger rows are never deleted; post a correcting row instead.")


class AppendOnlyModel(TenantModel):
    """Inserted once, never changed: save() of an existing row and delete() raise."""

    created_at = models.DateTimeField(_("posted"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PostedRowError(f"A posted {self._meta.verbose_name} is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PostedRowError(f"A posted {self._meta.verbose_name} is never deleted.")

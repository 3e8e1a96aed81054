"""What staff write for families: news and announcements, staff profiles."""

from typing import Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from springboard.core.html import SanitizedHTMLField
from springboard.core.images import ResizedImageField
from springboard.tenancy.models import TenantModel, TenantQuerySet


class NewsItemQuerySet(TenantQuerySet):
    def current(self, now) -> Self:
        """Published and not yet expired at `now`, newest first."""
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), published_at__lte=now
        ).order_by("-published_at", "-id")


class NewsItem(TenantModel):
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown on the splash and list."),
    )
    body_html = SanitizedHTMLField(_("article"), blank=True)
    image = ResizedImageField(
        _("background image"), upload_to="news/", blank=True, max_dimension=1920
    )
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    show_on_splash = models.BooleanField(_("show on splash page"), default=False)
    published_at = models.DateTimeField(_("publish from"), default=timezone.now)
    expires_at = models.DateTimeField(_("show until"), null=True, blank=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        indexes = [models.Index(fields=["organization", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.expires_at and self.published_at and self.expires_at <= self.published_at:
            raise ValidationError({"expires_at": _("Show until must be after publish from.")})


class StaffProfile(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    bio = models.TextField(_("about"), blank=True)
    photo = ResizedImageField(_("photo"), upload_to="staff/", blank=True, max_dimension=600)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_visible = models.BooleanField(_("show on the staff page"), default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return self.name

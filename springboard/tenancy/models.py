"""Organizations (tenants), their locations and portal settings, and who of staff runs them."""

import zoneinfo
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet

from springboard.core.colors import readable_text_color, validate_hex_color
from springboard.core.html import SanitizedHTMLField
from springboard.core.images import ResizedImageField

# Account names are the first part of every portal URL; these would collide with our own.
RESERVED_ACCOUNT_NAMES = {
    "admin",
    "api",
    "static",
    "media",
    "sandbox",
    "gateways",
    "waiting-room",
    "accounts",
    "health",
    "favicon.ico",
    "robots.txt",
    "www",
    "portal",
    "springboard",
}
validate_account_name = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1 to 50 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
    code="account_name",
)


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_ACCOUNT_NAMES:
        raise ValidationError(
            _("“%(value)s” is reserved; choose another account name."),
            params={"value": value},
            code="reserved",
        )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone, e.g. America/Chicago."),
            params={"value": value},
            code="time_zone",
        )


class Currency(models.TextChoices):
    USD = "USD", "US dollar (USD)"
    CAD = "CAD", "Canadian dollar (CAD)"
    GBP = "GBP", "Pound sterling (GBP)"
    EUR = "EUR", "Euro (EUR)"
    AUD = "AUD", "Australian dollar (AUD)"
    NZD = "NZD", "New Zealand dollar (NZD)"


class Organization(models.Model):
    account_name = models.SlugField(
        _("account name"),
        max_length=50,
        unique=True,
        validators=[validate_account_name, validate_not_reserved],
        help_text=_("The portal lives at /account-name/ (lower-case letters, digits, hyphens)."),
    )
    name = models.CharField(_("display name"), max_length=120)
    logo = ResizedImageField(_("logo"), upload_to="logos/", blank=True, max_dimension=600)
    brand_color = models.CharField(
        _("brand colour"), max_length=7, default="#1d4ed8", validators=[validate_hex_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#f59e0b", validators=[validate_hex_color]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    website_url = models.URLField(_("website"), blank=True)
    ios_app_url = models.URLField(_("App Store link"), blank=True)
    android_app_url = models.URLField(_("Google Play link"), blank=True)
    is_active = models.BooleanField(_("portal is live"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            PortalSettings.objects.get_or_create(organization=self)

    @property
    def brand_text_color(self) -> str:
        return readable_text_color(self.brand_color)

    @property
    def accent_text_color(self) -> str:
        return readable_text_color(self.accent_color)


class _RefusedQuerySet(DisabledQuerySet):
    """What a tenant manager gives outside an organization scope: every read raises
    ScopeError, our own queryset methods (for_organization, current, ...) too."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.error


class TenantQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization) -> Self:
        return self.filter(organization=organization)

    @classmethod
    def as_manager(cls):
        """Every tenant model's manager is scoped (django-scopes): see `tenant_manager`."""
        return tenant_manager(cls)


def tenant_manager(queryset_class: type[TenantQuerySet] = TenantQuerySet) -> models.Manager:
    """A manager that refuses to read outside an organization scope.

    Inside `scope(organization=org)` (the portal's requests: OrganizationMiddleware) it reads
    only that organization's rows; inside `scopes_disabled()` (the admin, commands, tasks,
    the sandbox endpoint, tests' own set-up) it reads everything; anywhere else a read raises
    `django_scopes.ScopeError` instead of leaking another organization's rows.
    """
    scoped = type(
        ScopedManager(
            _manager_class=models.Manager.from_queryset(queryset_class),
            organization="organization",
        )
    )

    class TenantManager(scoped):
        def get_queryset(self):
            queryset = super().get_queryset()
            # isinstance: django-modeltranslation's manager (docs/i18n.md) has already mixed
            # its queryset into the refused one by the time this runs.
            if isinstance(queryset, DisabledQuerySet):
                queryset.__class__ = _RefusedQuerySet
            return queryset

    TenantManager.__name__ = f"TenantManager[{queryset_class.__name__}]"
    return TenantManager()


class TenantModel(models.Model):
    """Every row that belongs to a business carries its organization.

    Read through `Model.objects.for_organization(request.organization)`; `get_object_or_404`
    on that queryset turns another organization's id into a 404. The manager refuses reads
    outside an organization scope (docs/architecture.md, "Tenancy rule").
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, verbose_name=_("organization")
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Location(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    hours = models.TextField(
        _("opening hours"),
        blank=True,
        help_text=_("One line per day or range, e.g. Mon–Fri 3pm–8pm."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("location")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="location_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def one_line_address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)

    def hours_lines(self) -> list[str]:
        return [line.strip() for line in self.hours.splitlines() if line.strip()]


class ClassFilter(models.TextChoices):
    PROGRAM = "program", _("Program")
    LEVEL = "level", _("Level")
    DAY = "day", _("Day")
    TIME_OF_DAY = "time_of_day", _("Time of day")
    AGE = "age", _("Age")
    GENDER = "gender", _("Gender")
    INSTRUCTOR = "instructor", _("Instructor")
    OPENINGS = "openings", _("Openings only")
    SEARCH = "search", _("Text search")


def default_class_filters() -> list[str]:
    return [choice.value for choice in ClassFilter]


def validate_class_filters(value) -> None:
    allowed = set(ClassFilter.values)
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise ValidationError(_("Choose class filters from the list."), code="class_filters")


class OpeningsDisplay(models.TextChoices):
    NUMBER = "number", _("Number of openings")
    OPEN_FULL = "open_full", _("OPEN or FULL")


class PortalSettings(models.Model):
    """Every switch of an organization's portal (the owner edits these)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="portal_settings"
    )
    proshop_enabled = models.BooleanField(_("ProShop"), default=False)
    proshop_title = models.CharField(_("ProShop title"), max_length=60, default="ProShop")
    egift_cards_enabled = models.BooleanField(_("eGift Cards"), default=False)
    welcome_enabled = models.BooleanField(_("Welcome Information"), default=False)
    welcome_title = models.CharField(_("welcome title"), max_length=120, default="Welcome!")
    welcome_html = SanitizedHTMLField(_("welcome information"), blank=True)
    find_right_class_enabled = models.BooleanField(_("Find the Right Class"), default=True)
    staff_page_enabled = models.BooleanField(_("staff page"), default=False)
    staff_page_title = models.CharField(_("staff page title"), max_length=60, default="Our Staff")
    staff_page_html = SanitizedHTMLField(_("staff page content"), blank=True)
    live_enabled = models.BooleanField(_("Live"), default=False)
    live_stream_url = models.URLField(_("live stream URL"), blank=True)
    class_filters = models.JSONField(
        _("class filters"),
        default=default_class_filters,
        validators=[validate_class_filters],
        blank=True,
    )
    openings_display = models.CharField(
        _("show openings as"),
        max_length=20,
        choices=OpeningsDisplay.choices,
        default=OpeningsDisplay.NUMBER,
    )
    visitors_may_create_accounts = models.BooleanField(
        _("visitors may create accounts"), default=True
    )
    cart_hold_minutes = models.PositiveSmallIntegerField(
        _("cart hold (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        _("waitlist offer (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("How long a family offered a freed seat has to claim it."),
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return str(_("Portal settings"))

    def clean(self) -> None:
        if self.live_enabled and not self.live_stream_url:
            raise ValidationError({"live_stream_url": _("Live needs a stream URL.")})


class StaffRole(models.TextChoices):
    OWNER = "owner", _("Owner: everything, including settings and staff")
    STAFF = "staff", _("Staff: content, catalogue, families and ledger")


class StaffMembership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=StaffRole.choices, default=StaffRole.STAFF
    )

    class Meta:
        verbose_name = _("staff membership")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.role})"

"""A family (the account of a household at one organization), its guardians and students."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.families.phones import display_phone
from springboard.tenancy.models import TenantModel


class ReferralSource(TenantModel):
    """An answer to "How did you hear about us?" (each organization writes its own)."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("referral source")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="referral_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Family(TenantModel):
    name = models.CharField(_("family name"), max_length=120)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, help_text=_("E.164"))
    email = models.EmailField(_("email"))
    referral_source = models.ForeignKey(
        ReferralSource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("how they heard about us"),
    )
    news_opt_in = models.BooleanField(_("news emails"), default=False)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A visitor who bought eGift Cards or ProShop items without an account (docs/shop.md):
    # no guardian, no login; reached only through the visitor's own browser session.
    is_guest = models.BooleanField(_("visitor without an account"), default=False)
    # The language of the family's emails (docs/i18n.md): set by the MENU's switch and at
    # sign-up; empty means the organization's main language (settings.LANGUAGE_CODE).
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return self.name

    @property
    def can_book(self) -> bool:
        """A family may look around at once but books only after confirming its email."""
        return self.email_confirmed_at is not None

    @property
    def mobile_phone_display(self) -> str:
        return display_phone(self.mobile_phone)

    @property
    def one_line_address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)


class Guardian(TenantModel):
    """A parent or carer of a family. `user` is their own login (one login, many families)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("email"), blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    other_phone = models.CharField(_("other phone"), max_length=20, blank=True)
    relationship = models.CharField(_("relationship"), max_length=40, blank=True)
    may_pick_up = models.BooleanField(_("may pick up students"), default=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "last_name", "first_name", "id"]
        verbose_name = _("guardian")
        constraints = [
            # One login is a guardian of at most one family per organization.
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=models.Q(user__isnull=False),
                name="one_family_per_login_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another")


class Student(TenantModel):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="students")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    medical_notes = models.TextField(_("medical and allergy notes"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        verbose_name = _("student")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def has_enrollments(self) -> bool:
        """Enrolled (active or past) in a class or camp day: kept for the records, so it can
        only be marked inactive, never deleted."""
        return self.enrollments.exists() or self.event_registrations.exists()

    def delete(self, *args, **kwargs):
        if self.pk and self.has_enrollments:
            raise StudentHasEnrollments(self)
        return super().delete(*args, **kwargs)


class StudentHasEnrollments(Exception):
    def __init__(self, student):
        self.message = _(
            "%(name)s has enrollments, so the student cannot be deleted; mark the student "
            "inactive instead."
        ) % {"name": student.full_name}
        super().__init__(self.message)


class EmergencyContact(TenantModel):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20)
    relationship = models.CharField(_("relationship"), max_length=40, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("emergency contact")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

"""Policies staff write, their versions, and each family's agreements to a version."""

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from springboard.families.models.families import Family, Student
from springboard.tenancy.models import TenantModel


class PolicyKind(models.TextChoices):
    FAMILY = "family", _("Family")
    STUDENT = "student", _("Student")
    TRANSACTION = "transaction", _("Transaction")


class PolicyAppliesTo(models.TextChoices):
    """Which orders a transaction policy is shown for at checkout (docs/checkout.md)."""

    EVERY_ORDER = "every_order", _("Every order")
    MONTHLY_TUITION = "monthly_tuition", _("Orders with monthly tuition")


class Policy(TenantModel):
    kind = models.CharField(_("kind"), max_length=12, choices=PolicyKind.choices)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(
        _("text"), help_text=_("Changing the text makes a new version families agree to again.")
    )
    required = models.BooleanField(_("required"), default=True)
    show_on_web = models.BooleanField(_("shown on the web"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    applies_to = models.CharField(
        _("applies to"),
        max_length=16,
        choices=PolicyAppliesTo.choices,
        default=PolicyAppliesTo.EVERY_ORDER,
        help_text=_("For transaction policies: the orders it is shown for at checkout."),
    )

    class Meta:
        ordering = ["kind", "position", "title", "id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # A new text is a new version: agreements point at the exact words agreed to.
        with transaction.atomic():
            super().save(*args, **kwargs)
            current = self.versions.order_by("-number").first()
            # The agreed words are the main language's, whatever language staff edit in; a
            # Spanish version of the text (docs/i18n.md) is a courtesy translation.
            with translation.override(settings.LANGUAGE_CODE):
                words = self.text
            if current is None or current.text != words:
                PolicyVersion.objects.create(
                    policy=self, number=(current.number + 1) if current else 1, text=words
                )

    @property
    def current_version(self) -> "PolicyVersion | None":
        return self.versions.order_by("-number").first()


class PolicyVersion(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("policy version")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} (v{self.number})"

    def text_for_reader(self) -> str:
        """These words, or, when this is the policy's current version, the policy's text in the
        reader's language (its Spanish version when staff wrote one; docs/i18n.md)."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        translated = getattr(self.policy, f"text_{language.split('-')[0]}", None)
        if translated and translated != self.text and self == self.policy.current_version:
            return translated
        return self.text


class PolicyAgreement(TenantModel):
    """One answer by a guardian to one version, for the family or for one student."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="agreements")
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, null=True, blank=True, related_name="agreements"
    )
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signature = models.CharField(_("typed signature"), max_length=160)
    accepted = models.BooleanField(_("accepted"), default=True)
    agreed_at = models.DateTimeField(_("time"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-agreed_at", "-id"]
        verbose_name = _("policy agreement")

    def __str__(self) -> str:
        return f"{self.family} — {self.version}"

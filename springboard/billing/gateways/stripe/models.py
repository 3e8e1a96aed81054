"""Each organization's processor account and what the Stripe adapter must remember.

Secrets are stored only encrypted (`vault`): the secret key and the webhook signing secret
are written through `set_secrets`, never shown back in full (`masked`) and never logged."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.families.models import Family
from springboard.tenancy.models import TenantModel


class GatewayKind(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test payments only)")
    STRIPE = "stripe", _("Stripe")


class GatewaySettings(TenantModel):
    """Which processor an organization's payments go to (one row per organization; none: the
    installation's default, the sandbox)."""

    gateway = models.CharField(
        _("payment processor"), max_length=20, choices=GatewayKind.choices, default="sandbox"
    )
    publishable_key = models.CharField(_("Stripe publishable key"), max_length=200, blank=True)
    secret_key_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    # What may be shown of the secrets: their last four characters.
    secret_key_hint = models.CharField(max_length=8, blank=True, editable=False)
    webhook_secret_hint = models.CharField(max_length=8, blank=True, editable=False)
    stripe_account = models.CharField(_("Stripe account"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("payment processor settings")
        verbose_name_plural = _("payment processor settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_gateway_settings_per_org")
        ]

    def __str__(self) -> str:
        return str(self.get_gateway_display())

    @property
    def secret_key(self) -> str:
        from springboard.billing.gateways.stripe.vault import decrypt

        return decrypt(self.secret_key_encrypted)

    @property
    def webhook_secret(self) -> str:
        from springboard.billing.gateways.stripe.vault import decrypt

        return decrypt(self.webhook_secret_encrypted)

    def set_secrets(self, *, secret_key: str | None, webhook_secret: str | None) -> None:
        from springboard.billing.gateways.stripe.vault import encrypt

        if secret_key:
            self.secret_key_encrypted = encrypt(secret_key)
            self.secret_key_hint = secret_key[-4:]
        if webhook_secret:
            self.webhook_secret_encrypted = encrypt(webhook_secret)
            self.webhook_secret_hint = webhook_secret[-4:]

    @property
    def is_real(self) -> bool:
        return self.gateway == GatewayKind.STRIPE and bool(self.secret_key_encrypted)


class StripeCustomer(TenantModel):
    """The Stripe Customer a family's saved cards are attached to."""

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="+")
    customer_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)


class StripeIntent(TenantModel):
    """A PaymentIntent we created, by our idempotency key: the same key never creates a second
    one (Stripe's Idempotency-Key header does the same at Stripe for 24 hours)."""

    idempotency_key = models.CharField(max_length=120)
    intent_id = models.CharField(max_length=100)
    payment_method = models.CharField(max_length=100)
    amount_minor = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="stripe_intent_key_unique"
            )
        ]


class StripeEvent(TenantModel):
    """A webhook event already handled: a replay changes nothing twice."""

    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "event_id"], name="stripe_event_once")
        ]


class StripeDispute(TenantModel):
    """A family disputed a card payment with its bank (charge.dispute.created): staff answer
    it in Stripe's dashboard; here it is on record next to the payment."""

    dispute_id = models.CharField(_("Stripe dispute"), max_length=100)
    payment = models.ForeignKey(
        "billing.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intent_id = models.CharField(_("Stripe payment"), max_length=100, blank=True)
    amount_minor = models.BigIntegerField(_("amount (cents)"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("disputed"))

    class Meta:
        verbose_name = _("card dispute")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dispute_id"], name="stripe_dispute_once"
            )
        ]

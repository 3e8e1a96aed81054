"""Payment processor settings, owner-only: which processor, and the Stripe account's keys.

The secret key and the webhook signing secret are write-only: the form never shows them
(only their last four characters), an empty box keeps the stored one, and a new secret key is
tried against the account before anything is saved (a wrong key: a form error, nothing
stored). The view marks both fields sensitive, so an error report never carries them, and
the admin's history records only which fields changed."""

import stripe
from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from springboard.billing.gateways.stripe.gateway import check_secret_key
from springboard.billing.gateways.stripe.models import GatewayKind, GatewaySettings, StripeDispute
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin, TenantAdminForm

SECRET_FIELDS = ("secret_key", "webhook_secret")


def sandbox_allowed() -> bool:
    return bool(settings.DEBUG or settings.TESTING or settings.ALLOW_SANDBOX_GATEWAY)


class GatewaySettingsForm(TenantAdminForm):
    secret_key = forms.CharField(
        label=_("Stripe secret key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("sk_live_… or a restricted key rk_live_…; leave empty to keep the saved one."),
    )
    webhook_secret = forms.CharField(
        label=_("Stripe webhook signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "whsec_… of the endpoint /gateways/stripe/<account>/webhook/; leave empty "
            "to keep the saved one."
        ),
    )

    class Meta:
        model = GatewaySettings
        fields = ["organization", "gateway", "publishable_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not sandbox_allowed() and "gateway" in self.fields:
            self.fields["gateway"].choices = [(GatewayKind.STRIPE, GatewayKind.STRIPE.label)]
        for name, hint in (
            ("secret_key", self.instance.secret_key_hint),
            ("webhook_secret", self.instance.webhook_secret_hint),
        ):
            if hint and name in self.fields:
                self.fields[name].help_text = _("Saved: ending in …%(hint)s. %(help)s") % {
                    "hint": hint,
                    "help": self.fields[name].help_text,
                }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("gateway") == GatewayKind.SANDBOX and not sandbox_allowed():
            self.add_error("gateway", _("This installation does not allow the sandbox."))
        if cleaned.get("gateway") != GatewayKind.STRIPE:
            return cleaned
        publishable = cleaned.get("publishable_key", "")
        if not publishable.startswith("pk_"):
            self.add_error("publishable_key", _("A Stripe publishable key starts with pk_."))
        secret = cleaned.get("secret_key", "")
        webhook = cleaned.get("webhook_secret", "")
        if secret and not secret.startswith(("sk_", "rk_")):
            self.add_error("secret_key", _("A Stripe secret key starts with sk_ or rk_."))
            return cleaned
        if not secret and not self.instance.secret_key_encrypted:
            self.add_error("secret_key", _("Enter the account's secret key."))
        if webhook and not webhook.startswith("whsec_"):
            self.add_error("webhook_secret", _("A webhook signing secret starts with whsec_."))
        elif not webhook and not self.instance.webhook_secret_encrypted:
            self.add_error("webhook_secret", _("Enter the webhook endpoint's signing secret."))
        if secret and not self.errors:
            try:
                self.stripe_account = check_secret_key(secret)
            except stripe.AuthenticationError:
                self.add_error("secret_key", _("Stripe does not accept this secret key."))
            except stripe.PermissionError:
                self.add_error(
                    "secret_key", _("This key may not read the account; use a key that can.")
                )
            except stripe.StripeError:
                self.add_error(
                    "secret_key",
                    _("Stripe could not be reached to check the key; nothing was saved."),
                )
        return cleaned

    def save(self, commit=True):
        row = super().save(commit=False)
        row.set_secrets(
            secret_key=self.cleaned_data.get("secret_key") or None,
            webhook_secret=self.cleaned_data.get("webhook_secret") or None,
        )
        if getattr(self, "stripe_account", ""):
            row.stripe_account = self.stripe_account
        if commit:
            row.save()
        return row


@admin.register(GatewaySettings)
class GatewaySettingsAdmin(OrganizationScopedAdmin):
    """Owners connect their organization to Stripe; staff do not see the keys at all."""

    form = GatewaySettingsForm
    edit_roles = view_roles = OWNERS
    list_display = ["organization", "gateway", "stripe_account", "updated_at"]
    readonly_fields = ["stripe_account", "webhook_url"]
    fields = [
        "organization",
        "gateway",
        "publishable_key",
        "secret_key",
        "webhook_secret",
        "stripe_account",
        "webhook_url",
    ]

    @admin.display(description=_("Webhook endpoint"))
    def webhook_url(self, obj):
        if obj is None or not obj.organization_id:
            return "—"
        base = settings.PORTAL_BASE_URL.rstrip("/")
        return f"{base}/gateways/stripe/{obj.organization.account_name}/webhook/"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organization"] if obj is not None else fields

    def has_delete_permission(self, request, obj=None):
        return False  # choose the sandbox (where allowed) instead; payments keep their gateway

    @method_decorator(sensitive_post_parameters(*SECRET_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(StripeDispute)
class StripeDisputeAdmin(OrganizationScopedAdmin):
    """Disputes Stripe told us about (charge.dispute.created): answered in Stripe's dashboard."""

    list_display = ["dispute_id", "payment", "amount_minor", "reason", "created_at"]
    readonly_fields = ["dispute_id", "payment", "intent_id", "amount_minor", "reason", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

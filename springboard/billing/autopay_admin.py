"""Autopay attempts (read-only: what was tried, when, with which card, and the answer) and
billing settings (owners) in the staff admin. Registered from BillingConfig.ready()."""

from django.contrib import admin

from springboard.billing.autopay_models import AutopayAttempt, BillingSettings
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin


@admin.register(AutopayAttempt)
class AutopayAttemptAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at",
        "family",
        "charge",
        "number",
        "amount",
        "method_label",
        "status",
        "message",
        "is_last",
    ]
    list_filter = ["status", "is_last"]
    search_fields = ["family__name", "message"]
    exclude = ["idempotency_key"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "idempotency_key"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingSettings)
class BillingSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "billing_day", "retry_days", "balance_due_days"]
    fields = ["organization", "billing_day", "retry_days", "balance_due_days"]
    edit_roles = OWNERS

"""The ledger in the staff admin: read-only lists, and "add" forms that post NEW rows through
the services (a charge, a credit, an allocation, a void, a refund). Nothing posted can be
changed or deleted here: corrections are new rows.

The add form calls the service in clean(): a LedgerError becomes a form error, and since the
admin's add view runs in one transaction, nothing is half-posted. The refund admin's add view
does NOT run in that transaction: the refund service calls the gateway and must do so
outside any transaction (it posts its rows in short transactions of its own).

Forms whose double submit would post twice (charge, credit, refund) carry a one-time key
generated with the form; the service posts once per key, and the second submit of the same
form posts nothing and says so.
"""

import uuid

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.billing import services
from springboard.billing.errors import LedgerError
from springboard.billing.models import (
    Allocation,
    Charge,
    ChargeVoid,
    Payment,
    PaymentMethodKind,
    Refund,
    SavedPaymentMethod,
)
from springboard.core.clock import request_now
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin, TenantAdminForm


class PostingForm(TenantAdminForm):
    """An add form whose save is a service call; `request` is set by the admin."""

    request = None
    posted = None
    replayed = False  # the key had posted already: this submit posted nothing

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        now = request_now(self.request)
        try:
            self.posted = self.post(cleaned, actor=self.request.user, now=now)
        except LedgerError as error:
            raise forms.ValidationError(error.message) from None
        # The services stamp a row with the caller's `now`: a row for this key stamped with
        # another request's `now` was posted by the form's first submit.
        self.replayed = self.posted.created_at != now
        return cleaned

    def post(self, cleaned, *, actor, now):
        raise NotImplementedError

    def _post_clean(self):
        # The model's own validation runs in the service; skip constructing the instance
        # here (it would reject missing created_at etc.).
        pass


class LedgerAdmin(OrganizationScopedAdmin):
    """Lists and views for staff of the organization; adding posts through a service."""

    add_fields: list[str] = []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["fields"] = ["organization", *self.add_fields]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field.name for field in self.model._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        request.ledger_replayed = form.replayed
        return form.posted

    def log_addition(self, request, obj, message):
        if not getattr(request, "ledger_replayed", False):
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if not getattr(request, "ledger_replayed", False):
            return super().response_add(request, obj, post_url_continue)
        messages.warning(
            request,
            gettext(
                "This form was already submitted and posted “%(row)s”; nothing more was "
                "posted. Open a new form to post another."
            )
            % {"row": obj},
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def save_model(self, request, obj, form, change):
        pass  # the service already saved it

    def save_related(self, request, form, formsets, change):
        pass


class OneTimeKeyForm(PostingForm):
    """A fresh key per form shown: a double-submitted form posts once."""

    key_prefix = "admin"
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = f"{self.key_prefix}:{uuid.uuid4()}"


class ChargeForm(OneTimeKeyForm):
    key_prefix = "admin-charge"

    def post(self, cleaned, *, actor, now):
        return services.post_charge(
            idempotency_key=cleaned["key"],
            organization=cleaned["organization"],
            family=cleaned["family"],
            student=cleaned.get("student"),
            amount=cleaned["amount"],
            description=cleaned["description"],
            kind=cleaned["kind"],
            due_date=cleaned["due_date"],
            now=now,
            actor=actor,
        )


@admin.register(Charge)
class ChargeAdmin(LedgerAdmin):
    form = ChargeForm
    add_fields = ["family", "student", "kind", "description", "amount", "due_date"]
    list_display = [
        "created_at", "family", "render_description", "kind", "amount", "due_date", "voided"
    ]  # fmt: skip
    list_select_related = ["family", "void"]
    search_fields = ["description", "family__name"]
    autocomplete_fields = ["family", "student"]

    @admin.display(boolean=True, description=_("voided"))
    def voided(self, obj):
        return hasattr(obj, "void")


class CreditForm(OneTimeKeyForm):
    key_prefix = "admin-credit"
    amount = forms.DecimalField(max_digits=12, decimal_places=2, label=_("credit amount"))

    def post(self, cleaned, *, actor, now):
        return services.post_credit(
            idempotency_key=cleaned["key"],
            organization=cleaned["organization"],
            family=cleaned["family"],
            amount=cleaned["amount"],
            reason=cleaned.get("note", ""),
            now=now,
            actor=actor,
        )


@admin.register(Payment)
class PaymentAdmin(LedgerAdmin):
    """Families pay through checkout and My Account; staff add credit adjustments here."""

    form = CreditForm
    add_fields = ["family", "amount", "note"]
    list_display = ["created_at", "family", "amount", "method", "status", "brand", "last4"]
    list_filter = ["method", "status"]
    list_select_related = ["family"]
    search_fields = ["family__name", "gateway_reference", "idempotency_key"]
    autocomplete_fields = ["family"]
    exclude = ["token"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "token"]


class AllocationForm(PostingForm):
    def post(self, cleaned, *, actor, now):
        return services.allocate(
            organization=cleaned["organization"],
            payment=cleaned["payment"],
            charge=cleaned["charge"],
            amount=cleaned["amount"],
            now=now,
            actor=actor,
        )


@admin.register(Allocation)
class AllocationAdmin(LedgerAdmin):
    form = AllocationForm
    add_fields = ["payment", "charge", "amount"]
    list_display = ["created_at", "payment", "charge", "amount"]
    list_select_related = ["payment", "charge"]
    autocomplete_fields = ["payment", "charge"]


class VoidForm(PostingForm):
    def post(self, cleaned, *, actor, now):
        return services.void_charge(
            organization=cleaned["organization"],
            charge=cleaned["charge"],
            reason=cleaned["reason"],
            now=now,
            actor=actor,
        )


@admin.register(ChargeVoid)
class ChargeVoidAdmin(LedgerAdmin):
    form = VoidForm
    add_fields = ["charge", "reason"]
    list_display = ["created_at", "charge", "reason"]
    list_select_related = ["charge"]
    autocomplete_fields = ["charge"]


class RefundForm(OneTimeKeyForm):
    key_prefix = "admin-refund"

    def post(self, cleaned, *, actor, now):
        return services.refund(
            organization=cleaned["organization"],
            payment=cleaned["payment"],
            amount=cleaned["amount"],
            reason=cleaned["reason"],
            idempotency_key=cleaned["key"],
            now=now,
            actor=actor,
        )


@admin.register(Refund)
class RefundAdmin(LedgerAdmin):
    form = RefundForm
    add_fields = ["payment", "amount", "reason"]
    list_display = ["created_at", "payment", "amount", "reason", "gateway_answer"]
    list_select_related = ["payment", "outcome"]
    autocomplete_fields = ["payment"]
    exclude = ["idempotency_key"]

    @admin.display(description=_("gateway"))
    def gateway_answer(self, obj):
        outcome = getattr(obj, "outcome", None)
        if outcome is None:
            return (
                "—"
                if obj.payment.method == PaymentMethodKind.CREDIT_ADJUSTMENT
                else _("awaiting the gateway")
            )
        if outcome.succeeded:
            return _("refunded")
        return _("refused: %(message)s") % {"message": outcome.message}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Not inside the admin's transaction.atomic(): the refund service calls the gateway
        # and posts its rows in short transactions of its own (save_model etc. are no-ops).
        return self._changeform_view(request, object_id, form_url, extra_context)


@admin.register(SavedPaymentMethod)
class SavedPaymentMethodAdmin(OrganizationScopedAdmin):
    """Families manage their methods; staff only look (a token is useless without the form)."""

    list_display = ["family", "kind", "brand", "last4", "exp_month", "exp_year", "is_default"]
    list_select_related = ["family"]
    exclude = ["token"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.checkout.gift_cards import cards_bought
from springboard.checkout.models import FeeSchedule, Order, OrderLine
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin


@admin.register(FeeSchedule)
class FeeScheduleAdmin(OrganizationScopedAdmin):
    """Owners set prices of fees; staff see them."""

    edit_roles = OWNERS
    list_display = ["name", "amount", "applies", "frequency", "is_active"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    # In the staff member's language (billing.descriptions), like the family's pages.
    fields = ["render_description", "render_computation", "amount", "due_date", "student", "charge"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(OrganizationScopedAdmin):
    """Orders are made by checkout; staff look (corrections are ledger rows: voids, refunds)."""

    list_display = ["__str__", "family", "status", "total", "created_at", "organization"]
    list_filter = ["status"]
    search_fields = ["family__name"]
    list_select_related = ["family", "organization"]
    fields = [
        "organization",
        "family",
        "status",
        "created_at",
        "expires_at",
        "confirmed_at",
        "total",
        "due_now",
        "credit_used",
        "attempt",
        "payment",
        "gift_cards",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline]

    @admin.display(description=_("eGift Cards"))
    def gift_cards(self, obj):
        """The cards this order bought and the cards that paid for it, linked both ways."""
        bought = cards_bought(obj)
        used = [use.card for use in obj.gift_cards.select_related("card")]
        rows = [(gettext("bought"), card) for card in bought] + [
            (gettext("paid with"), card) for card in used
        ]
        if not rows:
            return "—"
        return format_html_join(
            ", ",
            '{} <a href="{}">{}</a>',
            (
                (label, reverse("admin:giftcards_giftcard_change", args=[c.pk]), c)
                for label, c in rows
            ),
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

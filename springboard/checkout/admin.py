from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.checkout.gift_cards import cards_bought
from springboard.checkout.models import (
    DiscountRule,
    FeeSchedule,
    Order,
    OrderLine,
    OrderStatus,
    PromoCode,
)
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
        "promo_code",
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


@admin.register(DiscountRule)
class DiscountRuleAdmin(OrganizationScopedAdmin):
    """Owners set discounts (a percent up to 100 or an amount, never negative: the model's
    clean and the database's checks); staff see them and how often they were given."""

    edit_roles = OWNERS
    list_display = ["name", "kind", "value_type", "value", "program", "is_active", "times_given"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    fields = ["organization", "name", "kind", "value_type", "value", "program", "is_active"]

    def get_queryset(self, request):
        confirmed = Q(lines__order__status=OrderStatus.CONFIRMED)
        return (
            super()
            .get_queryset(request)
            .select_related("program")
            .annotate(given=Count("lines", filter=confirmed))
        )

    @admin.display(description=_("times given (paid orders)"), ordering="given")
    def times_given(self, obj) -> int:
        return obj.given


@admin.register(PromoCode)
class PromoCodeAdmin(OrganizationScopedAdmin):
    """Promo codes and their uses: an order counts once it is paid (confirmed)."""

    edit_roles = OWNERS
    list_display = [
        "code",
        "value_type",
        "value",
        "applies_to",
        "valid_from",
        "valid_until",
        "uses",
        "max_uses",
        "is_active",
    ]
    list_filter = ["is_active", "applies_to"]
    search_fields = ["code"]
    fields = [
        "organization",
        "code",
        "value_type",
        "value",
        "applies_to",
        "program",
        "valid_from",
        "valid_until",
        "max_uses",
        "once_per_family",
        "minimum_order",
        "is_active",
    ]

    def get_queryset(self, request):
        confirmed = Q(orders__status=OrderStatus.CONFIRMED)
        return (
            super()
            .get_queryset(request)
            .select_related("program")
            .annotate(used=Count("orders", filter=confirmed))
        )

    @admin.display(description=_("uses (paid orders)"), ordering="used")
    def uses(self, obj) -> int:
        return obj.used

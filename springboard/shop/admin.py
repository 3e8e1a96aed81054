"""ProShop in the staff admin, scoped like every other admin (tenancy.admin_scoping): lists,
forms and every choice (categories, locations, variants) offer only the staff member's
organizations' rows; another organization's product, variant or purchase is a 404.

Stock is changed only by adding movements (received, returned, corrected): the ledger's rows
are never edited or deleted. The low-stock list and "mark picked up" are admin actions."""

from django.contrib import admin, messages
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from springboard.core.clock import request_now
from springboard.shop import services
from springboard.shop.models import (
    Category,
    LowStock,
    Product,
    Purchase,
    ShopSettings,
    StockMovement,
    Variant,
)
from springboard.shop.stock import StockError
from springboard.tenancy.admin_scoping import (
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    TenantAdminForm,
)

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


@admin.register(ShopSettings)
class ShopSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "tax_rate"]


@admin.register(Category)
class CategoryAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "organization", "position"]
    search_fields = ["name"]


class VariantInline(OrganizationScopedInline):
    model = Variant
    extra = 1
    can_delete = False  # its stock ledger points at it: untick "active" to stop selling it
    fields = [
        ("option1", "option2"),
        ("sku", "price"),
        ("is_active", "low_stock_at", "position"),
        "on_hand_by_location",
    ]
    readonly_fields = ["on_hand_by_location"]

    @admin.display(description=_("on hand (the sum of its stock movements)"))
    def on_hand_by_location(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = (
            StockMovement.objects.filter(variant=obj)
            .values("location__name")
            .annotate(units=Sum("quantity"))
            .order_by("location__name")
        )
        return ", ".join(f"{row['location__name']}: {row['units']}" for row in rows) or "0"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A variant belongs to its product's organization (set on save, not chosen).
        formset.form.base_fields.pop("organization", None)
        return formset


@admin.register(Product)
class ProductAdmin(OrganizationScopedAdmin):
    list_display = ["title", "category", "price", "taxable", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["title", "variants__sku"]
    filter_horizontal = ["locations"]
    inlines = [VariantInline]
    fieldsets = [
        (None, {"fields": ["organization", "category", "title", "description", "is_active"]}),
        (_("Price and tax"), {"fields": ["price", "taxable", "tax_rate"]}),
        (_("Options"), {"fields": ["option1_name", "option2_name"]}),
        (_("Where it is sold"), {"fields": ["locations"]}),
        (_("Images (up to four)"), {"fields": ["image", "image_2", "image_3", "image_4"]}),
    ]

    def save_formset(self, request, form, formset, change):
        for variant in formset.save(commit=False):
            variant.organization_id = form.instance.organization_id
            variant.save()
        formset.save_m2m()


def _on_hand():
    return Coalesce(
        Subquery(
            StockMovement.objects.filter(variant=OuterRef("variant"), location=OuterRef("location"))
            .order_by()
            .values("variant")
            .annotate(n=Sum("quantity"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


class StockMovementForm(TenantAdminForm):
    def clean(self):
        cleaned = super().clean()
        kind, quantity = cleaned.get("kind"), cleaned.get("quantity")
        if kind and quantity is not None:
            try:
                services.signed_quantity(kind, quantity)
            except StockError as error:
                self.add_error("quantity", error.message)
        return cleaned


@admin.register(StockMovement)
class StockMovementAdmin(OrganizationScopedAdmin):
    """The ledger: add a movement (received, returned, corrected); never edit or delete."""

    form = StockMovementForm
    list_display = ["created_at", "variant", "location", "kind", "quantity", "created_by", "note"]
    list_filter = ["kind", "location"]
    search_fields = ["variant__sku", "variant__product__title"]
    fields = ["organization", "variant", "location", "kind", "quantity", "note"]
    raw_id_fields = ["variant"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: signs (sold is −), the clock, who.
        movement = services.post_movement(
            variant=obj.variant,
            location=obj.location,
            kind=obj.kind,
            quantity=obj.quantity,
            now=request_now(request),
            actor=request.user,
            note=obj.note,
        )
        obj.pk = movement.pk
        obj._state.adding = False


@admin.register(LowStock)
class LowStockAdmin(OrganizationScopedAdmin):
    """One row per variant and location whose units on hand are at or below its low mark."""

    list_display = ["variant", "location", "units_on_hand", "low_mark"]
    list_filter = ["location"]

    def get_queryset(self, request):
        # The latest movement stands for its (variant, location) pair: one row each.
        latest = (
            StockMovement.objects.filter(variant=OuterRef("variant"), location=OuterRef("location"))
            .order_by("-id")
            .values("id")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .filter(id=Subquery(latest), variant__is_active=True)
            .select_related("variant__product", "location")
            .annotate(on_hand_now=_on_hand())
            .filter(on_hand_now__lte=F("variant__low_stock_at"))
        )

    @admin.display(description=_("on hand"))
    def units_on_hand(self, obj):
        return obj.on_hand_now

    @admin.display(description=_("low at"))
    def low_mark(self, obj):
        return obj.variant.low_stock_at

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Purchase)
class PurchaseAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at",
        "order_link",
        "family",
        "variant",
        "quantity",
        "location",
        "gift_recipient_name",
        "picked_up_at",
        "picked_up_by",
    ]
    list_filter = ["location", ("picked_up_at", admin.EmptyFieldListFilter)]
    search_fields = ["family__name", "variant__sku", "order_number", "gift_recipient_name"]
    readonly_fields = [
        "organization",
        "family",
        "variant",
        "quantity",
        "unit_price",
        "location",
        "order_number",
        "gift_recipient_name",
        "gift_recipient_email",
        "created_at",
        "picked_up_at",
        "picked_up_by",
    ]
    actions = ["mark_picked_up"]

    @admin.display(description=_("order"), ordering="order_number")
    def order_link(self, obj):
        # Checkout sits above shop: the order is linked by its admin URL, not imported.
        try:
            url = reverse("admin:checkout_order_change", args=[obj.order_number])
        except NoReverseMatch:
            return obj.order_number
        return format_html('<a href="{}">{}</a>', url, obj.order_number)

    def has_add_permission(self, request, *args):
        return False  # checkout makes purchases

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark picked up"))
    def mark_picked_up(self, request, queryset):
        now = request_now(request)
        done = sum(
            services.mark_picked_up(purchase=purchase, actor=request.user, now=now)
            for purchase in queryset
        )
        messages.success(request, _("%(count)s marked picked up.") % {"count": done})

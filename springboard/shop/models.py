"""ProShop: categories, products, variants, the stock ledger and purchases (docs/shop.md).

Stock is never a counter. `StockMovement` is an append-only ledger per variant per location
(received, sold, returned, corrected, each with who and when); on hand is its sum, and what a
family may still buy is computed by `springboard.shop.stock` (on hand − unexpired cart holds
− pending orders; the holds are booking's, registered in `stock.UNITS_HELD`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.core.images import ResizedImageField
from springboard.families.models import Family
from springboard.tenancy.append_only import AppendOnlyModel, AppendOnlyQuerySet, PostedRowError
from springboard.tenancy.models import Location, TenantModel

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ShopSettings(TenantModel):
    """The organization's sales tax rate (a product may have its own)."""

    tax_rate = models.DecimalField(
        _("sales tax rate (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0"),
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("ProShop settings")
        verbose_name_plural = _("ProShop settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_shop_settings_each")
        ]

    def __str__(self) -> str:
        return str(_("ProShop settings"))


class Category(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        # One level of subcategories: a subcategory's products show in its parent too.
        if self.parent_id and (self.parent.parent_id or self.parent_id == self.pk):
            raise ValidationError({"parent": _("Choose a top-level category as the parent.")})


class Product(TenantModel):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    taxable = models.BooleanField(_("taxable"), default=True)
    tax_rate = models.DecimalField(
        _("own tax rate (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Leave empty to use the organization's rate."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    locations = models.ManyToManyField(Location, related_name="products", verbose_name=_("sold at"))
    option1_name = models.CharField(_("first option"), max_length=40, default="Size")
    option2_name = models.CharField(_("second option"), max_length=40, blank=True)
    image = ResizedImageField(_("image"), upload_to="shop/", blank=True, max_dimension=1200)
    image_2 = ResizedImageField(_("image 2"), upload_to="shop/", blank=True, max_dimension=1200)
    image_3 = ResizedImageField(_("image 3"), upload_to="shop/", blank=True, max_dimension=1200)
    image_4 = ResizedImageField(_("image 4"), upload_to="shop/", blank=True, max_dimension=1200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "title", "id"]
        verbose_name = _("product")

    def __str__(self) -> str:
        return self.title

    @property
    def images(self) -> list:
        return [i for i in (self.image, self.image_2, self.image_3, self.image_4) if i]


class Variant(TenantModel):
    """One buyable choice of a product: an option pair (size M; or size M, colour red)."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="variants", verbose_name=_("product")
    )
    option1 = models.CharField(_("first option value"), max_length=40)
    option2 = models.CharField(_("second option value"), max_length=40, blank=True)
    sku = models.CharField(_("SKU"), max_length=40)
    price = models.DecimalField(
        _("own price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Leave empty to use the product's price."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    low_stock_at = models.PositiveSmallIntegerField(_("low stock at"), default=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("variant")
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="one_sku_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.product.title} — {self.label}"

    @property
    def label(self) -> str:
        return " / ".join(v for v in (self.option1, self.option2) if v)

    @property
    def unit_price(self) -> Decimal:
        return self.price if self.price is not None else self.product.price


PostedError = PostedRowError  # what editing or deleting a stock movement raises


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    SOLD = "sold", _("Sold")
    RETURNED = "returned", _("Returned")
    CORRECTED = "corrected", _("Corrected (count)")


class StockMovement(AppendOnlyModel):
    """One change of the units of a variant at a location: + received/returned, − sold, ±
    corrected. Never edited or deleted; on hand is the sum of `quantity`."""

    variant = models.ForeignKey(
        Variant, on_delete=models.PROTECT, related_name="movements", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    quantity = models.IntegerField(_("units (+ in, − out)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    purchase = models.ForeignKey(
        "Purchase", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    created_at = models.DateTimeField(_("when"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        indexes = [models.Index(fields=["variant", "location"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} · {self.variant}"


class LowStock(StockMovement):
    """The admin's low-stock list: the latest movement of each variant and location whose
    units on hand are at or below the variant's low mark (springboard.shop.admin)."""

    class Meta:
        proxy = True
        verbose_name = _("low stock")
        verbose_name_plural = _("low stock")


class Purchase(TenantModel):
    """Units a family bought, to be picked up at a location (checkout makes them)."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("family")
    )
    variant = models.ForeignKey(
        Variant, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("variant")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("pick up at")
    )
    # The checkout order's number (checkout sits above shop, so no foreign key up the ladder).
    order_number = models.PositiveBigIntegerField(_("order"), db_index=True)
    gift_recipient_name = models.CharField(_("gift for"), max_length=80, blank=True)
    gift_recipient_email = models.EmailField(_("gift recipient's email"), blank=True)
    created_at = models.DateTimeField(_("bought"))
    picked_up_at = models.DateTimeField(_("picked up"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase")
        indexes = [models.Index(fields=["family", "created_at"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant}"

    @property
    def is_gift(self) -> bool:
        return bool(self.gift_recipient_email)

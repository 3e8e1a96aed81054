"""PROSHOP: the product grid by category, a product's page, and adding units to the cart.

Views parse ids and numbers (core.parsing) and call booking.products.add_product, which locks
the variant, re-reads what is left and holds the units. Every id is read through the
request's organization: another organization's product or variant, or a variant of another
product, is a 404. The switch off is a 404 too (the chrome then shows no entry). A visitor
without an account buys too, through a guest family (docs/shop.md, "Visitor checkout").
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from springboard.booking.locking import BookingError
from springboard.booking.products import MAX_UNITS, add_product
from springboard.core.parsing import optional_id, parse_id, whole_number
from springboard.portal.guest_forms import GuestForm, buyer_details
from springboard.portal.guests import forget_guest, guest_family, start_guest
from springboard.portal.views.cart import booking_family_required, refused, visitors_welcome
from springboard.portal.views.family_access import portal_url
from springboard.shop import stock
from springboard.shop.models import Category, Product, Variant
from springboard.tenancy.middleware import current_location

PRODUCTS_PER_PAGE = 24


def _shop_enabled(request) -> None:
    if not request.organization.portal_settings.proshop_enabled:
        raise Http404("ProShop is off")


def _sold_here(request, location):
    products = Product.objects.for_organization(request.organization).filter(is_active=True)
    return products.filter(locations=location) if location else products.none()


@require_GET
def proshop(request):
    _shop_enabled(request)
    location = current_location(request)
    categories = list(
        Category.objects.for_organization(request.organization).filter(parent__isnull=True)
    )
    chosen = None
    wanted = optional_id(request.GET.get("category", ""))
    if request.GET.get("category") and wanted is None:
        raise Http404("No such category")
    if wanted is not None:
        chosen = next((c for c in categories if c.pk == wanted), None)
        if chosen is None:
            chosen = get_object_or_404(
                Category.objects.for_organization(request.organization), pk=wanted
            )
    products = _sold_here(request, location).select_related("category")
    if chosen is not None:
        # A product in a subcategory shows in its category too.
        products = products.filter(Q(category=chosen) | Q(category__parent=chosen))
    if location is not None:
        products = stock.with_product_stock(products, location_id=location.pk, now=request.now)
    page = Paginator(products.order_by("position", "title", "id"), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for product in page.object_list:
        product.badge = stock.badge(product.units_left)
    context = {
        "categories": categories,
        "chosen": chosen,
        "page": page,
        "location": location,
        "title": request.organization.portal_settings.proshop_title,
    }
    return render(request, "portal/shop/index.html", context)


@require_GET
def product_detail(request, product_id: int):
    _shop_enabled(request)
    product = get_object_or_404(
        _sold_here(request, current_location(request)).select_related("category__parent"),
        pk=product_id,
    )
    return _product_page(request, product)


def _visitor_unknown(request) -> bool:
    """A visitor without a guest family yet: the product page asks who is buying."""
    return not request.user.is_authenticated and guest_family(request) is None


def _product_page(request, product, *, guest_form=None, status=200):
    location = current_location(request)
    variants = list(
        stock.with_variant_stock(
            product.variants.filter(is_active=True), location_id=location.pk, now=request.now
        )
    )
    for variant in variants:
        variant.badge = stock.badge(variant.units_left)
    if guest_form is None and _visitor_unknown(request):
        guest_form = GuestForm()
    context = {
        "product": product,
        "variants": variants,
        "location": location,
        "max_units": MAX_UNITS,
        "guest_form": guest_form,
        "title": request.organization.portal_settings.proshop_title,
    }
    return render(request, "portal/shop/product.html", context, status=status)


@require_POST
def add_to_cart(request):
    """Add to cart: for the login's family, the visitor's guest family, or (a visitor not yet
    known) a guest family made from the name, email and phone given on the product page, in
    the same transaction as the hold, so nothing is left when either is refused."""
    _shop_enabled(request)
    if not _visitor_unknown(request):
        return _add_for_family(request)
    product, variant, location = _chosen(request)
    back = portal_url(request, "product_detail", product.pk)
    quantity = _quantity(request)
    if quantity is None:
        return refused(request, BookingError(_("Give the quantity as a whole number.")), back)
    form = GuestForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, guest_form=form, status=400)
    try:
        with transaction.atomic():
            family = start_guest(request, **buyer_details(form.cleaned_data))
            _hold(request, family, variant, location, quantity)
    except BookingError as error:
        forget_guest(request)  # its row was rolled back
        return refused(request, error, back)
    return _added(request)


@booking_family_required
@visitors_welcome
def _add_for_family(request):
    product, variant, location = _chosen(request)
    back = portal_url(request, "product_detail", product.pk)
    quantity = _quantity(request)
    if quantity is None:
        return refused(request, BookingError(_("Give the quantity as a whole number.")), back)
    try:
        _hold(request, request.family, variant, location, quantity)
    except BookingError as error:
        return refused(request, error, back)
    return _added(request)


def _chosen(request):
    """The product, its variant and the location from the form (any other id is a 404)."""
    location = current_location(request)
    product = get_object_or_404(
        _sold_here(request, location), pk=parse_id(request.POST.get("product"))
    )
    # A variant of another product (or organization) is a 404: nothing is held.
    variant = get_object_or_404(
        Variant.objects.for_organization(request.organization)
        .filter(product=product)
        .select_related("product"),
        pk=parse_id(request.POST.get("variant")),
    )
    return product, variant, location


def _quantity(request) -> int | None:
    # Any whole number reaches the service, which says the range; anything else is not one.
    return whole_number(request.POST.get("quantity", ""), minimum=-(10**18), maximum=10**18)


def _hold(request, family, variant, location, quantity: int) -> None:
    as_gift = request.POST.get("gift") == "1"
    add_product(
        family=family,
        variant=variant,
        location=location,
        quantity=quantity,
        gift_name=request.POST.get("gift_name", "") if as_gift else "",
        gift_email=request.POST.get("gift_email", "") if as_gift else "",
        now=request.now,
    )


def _added(request):
    messages.success(
        request,
        _("Added to your cart. It is held for %(minutes)s minutes.")
        % {"minutes": request.organization.portal_settings.cart_hold_minutes},
    )
    return HttpResponseRedirect(portal_url(request, "cart"))

"""ProShop in the staff admin: scoped to the staff member's organizations (others: 404),
stock changed only by new movements, the low-stock list, and "mark picked up"."""

import pytest

from springboard.shop import services
from springboard.shop.models import MovementKind, Product, Purchase, StockMovement
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories
from tests.booking.conftest import NOW
from tests.shop import factories as shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, org):
    user = factories.staff_user(org, StaffRole.STAFF)
    client.force_login(user)
    return user


def _sale(org, product, size="M"):
    return services.record_sale(
        family=family_factories.family(org, last_name=f"Buyer{product.pk}{size}"),
        variant=shop.variant(product, size),
        location=product.locations.get(),
        quantity=1,
        unit_price=product.price,
        order_number=77,
        now=NOW,
    )


@pytest.mark.parametrize(
    "model", ["category", "product", "stockmovement", "lowstock", "purchase", "shopsettings"]
)
def test_every_shop_list_opens(client, staff, org, model):
    shop.product(org, stock=1)
    assert client.get(f"/admin/shop/{model}/").status_code == 200


def test_another_organizations_rows_are_a_404(client, staff, org, other_org):
    mine = shop.product(org, title="Acme leotard")
    theirs = shop.product(other_org, title="Rival leotard")
    purchase = _sale(other_org, theirs)
    for url in [
        f"/admin/shop/product/{theirs.pk}/change/",
        f"/admin/shop/category/{theirs.category_id}/change/",
        f"/admin/shop/purchase/{purchase.pk}/change/",
        f"/admin/shop/stockmovement/{StockMovement.objects.filter(variant__product=theirs).first().pk}/change/",
    ]:
        assert client.get(url).status_code in (302, 404), url
    products = client.get("/admin/shop/product/").content.decode()
    assert "Acme leotard" in products and "Rival leotard" not in products
    assert "Rival" not in client.get("/admin/shop/purchase/").content.decode()
    page = client.get(f"/admin/shop/product/{mine.pk}/change/")
    assert page.status_code == 200
    assert "Main: 5" in page.content.decode()  # each variant's on hand, per location


def test_a_movement_of_another_organizations_variant_is_refused(client, staff, org, other_org):
    theirs = shop.product(other_org, title="Rival leotard")
    before = StockMovement.objects.count()
    response = client.post(
        "/admin/shop/stockmovement/add/",
        {
            "organization": org.pk,
            "variant": shop.variant(theirs).pk,
            "location": org.location_set.get().pk,
            "kind": MovementKind.RECEIVED,
            "quantity": "5",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert StockMovement.objects.count() == before


def test_staff_receive_stock_through_the_ledger(client, staff, org):
    product = shop.product(org, sizes=("M",), stock=0)
    variant = product.variants.get()
    response = client.post(
        "/admin/shop/stockmovement/add/",
        {
            "organization": org.pk,
            "variant": variant.pk,
            "location": org.location_set.get().pk,
            "kind": MovementKind.RECEIVED,
            "quantity": "12",
            "note": "Spring delivery",
        },
    )
    assert response.status_code == 302
    movement = StockMovement.objects.get()
    assert (movement.quantity, movement.created_by) == (12, staff)
    assert services.on_hand(variant, org.location_set.get()) == 12
    change = client.get(f"/admin/shop/stockmovement/{movement.pk}/change/")
    assert b'name="quantity"' not in change.content  # looked at, never edited


def test_the_low_stock_list_shows_variants_at_or_below_their_mark(client, staff, org):
    shop.product(org, title="Swim cap", sizes=("One size",), stock=1)
    shop.product(org, title="Water bottle", sizes=("Blue",), stock=40)
    page = client.get("/admin/shop/lowstock/").content.decode()
    assert "Swim cap" in page and "Water bottle" not in page


def test_mark_picked_up_records_who_and_when(client, staff, org):
    product = shop.product(org, title="Leotard")
    purchase = _sale(org, product)
    response = client.post(
        "/admin/shop/purchase/",
        {"action": "mark_picked_up", "_selected_action": [purchase.pk]},
    )
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.picked_up_by == staff and purchase.picked_up_at is not None


def test_staff_add_a_product_with_variants(client, staff, org):
    category = shop.category(org, "Apparel")
    location = org.location_set.get()
    response = client.post(
        "/admin/shop/product/add/",
        {
            "organization": org.pk,
            "category": category.pk,
            "title": "Leotard",
            "price": "40.00",
            "taxable": "on",
            "is_active": "on",
            "option1_name": "Size",
            "locations": [location.pk],
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-option1": "M",
            "variants-0-sku": "LEO-M",
            "variants-0-is_active": "on",
            "variants-0-low_stock_at": "2",
            "variants-0-position": "0",
            "image": factories.image_upload("camera.jpg", size=(3000, 2000), image_format="JPEG"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(title="Leotard")
    assert product.variants.get().organization == org
    assert max(product.image.width, product.image.height) == 1200  # re-encoded and shrunk
    assert not Purchase.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client, staff, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/admin/shop/product/add/",
        {
            "organization": org.pk,
            "category": shop.category(org).pk,
            "title": "Bad",
            "price": "1.00",
            "option1_name": "Size",
            "locations": [org.location_set.get().pk],
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
            "image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert not Product.objects.filter(title="Bad").exists()


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [(MovementKind.RECEIVED, "0"), (MovementKind.RECEIVED, "-3"), (MovementKind.CORRECTED, "0")],
)
def test_a_movement_that_changes_nothing_or_has_the_wrong_sign_is_a_form_error(
    client, staff, org, kind, quantity
):
    variant = shop.product(org, sizes=("M",), stock=0).variants.get()
    response = client.post(
        "/admin/shop/stockmovement/add/",
        {
            "organization": org.pk,
            "variant": variant.pk,
            "location": org.location_set.get().pk,
            "kind": kind,
            "quantity": quantity,
        },
    )
    assert response.status_code == 200
    assert not StockMovement.objects.exists()

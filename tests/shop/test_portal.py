"""PROSHOP pages: the chrome's entries, the grid by category with stock badges at the current
location, the product page, adding to the cart, bad input and other organizations."""

import pytest
from django.test import Client

from springboard.booking.models import CartItem
from springboard.shop import services
from springboard.shop.models import MovementKind
from tests import factories
from tests.shop import factories as shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _add(client, product, variant, quantity="1"):
    return client.post(
        "/acme/cart/add/product/",
        {"product": product.pk, "variant": variant.pk, "quantity": quantity},
    )


def test_the_entries_appear_only_with_the_switch_on(client, org):
    settings = org.portal_settings
    assert client.get("/acme/proshop/").status_code == 404
    assert "/acme/proshop/" not in client.get("/acme/dashboard/").content.decode()
    settings.proshop_enabled = True
    settings.proshop_title = "Pro Shop & Gear"
    settings.save()
    page = client.get("/acme/dashboard/").content.decode()
    assert page.count("/acme/proshop/") >= 3  # dashboard tile, toolbar, menu
    assert "Pro Shop &amp; Gear" in page
    assert client.get("/acme/proshop/").status_code == 200


def test_the_grid_shows_subcategory_products_in_their_category_with_badges(client, org, leotard):
    other = shop.category(org, "Swim")
    shop.product(
        org, title="Swim cap", price="9.00", sizes=("One size",), stock=0, category_row=other
    )
    shop.product(org, title="Hidden", is_active=False)
    apparel = leotard.category.parent
    page = client.get(f"/acme/proshop/?category={apparel.pk}").content.decode()
    assert "Leotard" in page and "Swim cap" not in page and "$40.00" in page
    assert "left" not in page  # S 1 + M 3 at Main: 4 is plenty, no badge
    services.post_movement(
        variant=shop.variant(leotard),
        location=leotard.locations.get(),
        kind=MovementKind.CORRECTED,
        quantity=-2,
        now=leotard.variants.first().movements.first().created_at,
    )
    page = client.get(f"/acme/proshop/?category={apparel.pk}").content.decode()
    assert "Only 2 left" in page
    everything = client.get("/acme/proshop/").content.decode()
    assert "Swim cap" in everything and "Sold out" in everything and "Hidden" not in everything


def test_the_grid_follows_the_current_location(client, org, leotard):
    north = factories.location(org, name="North")
    assert client.get("/acme/proshop/").content.decode().count('data-testid="product"') == 1
    client.post("/acme/location/", {"location": north.pk})
    page = client.get("/acme/proshop/").content.decode()
    assert 'data-testid="product"' not in page  # not sold at North
    assert client.get(f"/acme/proshop/{leotard.pk}/").status_code == 404


def test_the_product_page_shows_each_variant_left_at_the_location(client, leotard):
    page = client.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert "Only 1 left" in page and "Only 3 left" in page and "Sold out" in page
    assert page.count("disabled") == 1  # L cannot be chosen


@pytest.mark.parametrize("count", [5, 200])
def test_the_grid_runs_the_same_queries_for_5_or_200_products(
    client, org, proshop, count, django_assert_num_queries
):
    category = shop.category(org, "All")
    for number in range(count):
        shop.product(org, title=f"P{number:03}", sizes=("M",), stock=1, category_row=category)
    client.get("/acme/proshop/")  # warm the session and location
    with django_assert_num_queries(QUERIES):
        page = client.get(f"/acme/proshop/?category={category.pk}")
    assert page.status_code == 200


QUERIES = 5


def test_adding_holds_the_units_with_the_carts_timer(logged_in, leotard):
    medium = shop.variant(leotard)
    response = _add(logged_in, leotard, medium, "2")
    assert response["Location"] == "/acme/cart/"
    item = CartItem.objects.get()
    assert (item.variant, item.quantity, item.location.name) == (medium, 2, "Main")
    toolbar = logged_in.get("/acme/dashboard/").content.decode()
    assert 'id="sb-cart-count">1<' in toolbar and 'data-testid="toolbar-countdown"' in toolbar


@pytest.mark.parametrize(
    "quantity", ["0", "-1", "21", "999999999999", "abc", "", "٣", "²", "1.5", "7" * 5000]
)
def test_a_bad_quantity_is_a_message_and_holds_nothing(logged_in, leotard, quantity):
    response = _add(logged_in, leotard, shop.variant(leotard), quantity)
    assert response.status_code == 302
    assert not CartItem.objects.exists()


def test_a_sold_out_variant_or_more_than_left_is_refused(logged_in, leotard):
    _add(logged_in, leotard, shop.variant(leotard, "L"))
    _add(logged_in, leotard, shop.variant(leotard, "M"), "4")
    assert not CartItem.objects.exists()
    response = logged_in.get(f"/acme/proshop/{leotard.pk}/")
    assert response.status_code == 200


def test_a_variant_of_another_product_is_a_404(logged_in, org, leotard):
    cap = shop.product(org, title="Swim cap", sizes=("One size",))
    response = _add(logged_in, leotard, cap.variants.get())
    assert response.status_code == 404
    assert not CartItem.objects.exists()


def test_another_organizations_product_is_a_404(logged_in, leotard, other_org):
    theirs = shop.product(other_org, title="Rival leotard")
    other_settings = other_org.portal_settings
    other_settings.proshop_enabled = True
    other_settings.save()
    assert logged_in.get(f"/acme/proshop/{theirs.pk}/").status_code == 404
    assert _add(logged_in, theirs, theirs.variants.first()).status_code == 404
    assert _add(logged_in, leotard, theirs.variants.first()).status_code == 404
    category = theirs.category
    assert logged_in.get(f"/acme/proshop/?category={category.pk}").status_code == 404
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("value", ["abc", "٣", "-1", "9" * 40])
def test_a_forged_id_is_a_404(logged_in, leotard, value):
    assert logged_in.get(f"/acme/proshop/?category={value}").status_code == 404
    response = logged_in.post(
        "/acme/cart/add/product/", {"product": leotard.pk, "variant": value, "quantity": "1"}
    )
    assert response.status_code == 404


def test_a_visitor_is_asked_who_is_buying_or_to_log_in(leotard):
    """Visitor checkout (tests/shop/test_visitor_checkout.py): no account needed."""
    visitor = Client()
    page = visitor.get(f"/acme/proshop/{leotard.pk}/").content.decode()
    assert 'data-testid="visitor-details"' in page and "Or log in" in page
    response = _add(visitor, leotard, shop.variant(leotard))  # no name, email or phone
    assert response.status_code == 400
    assert not CartItem.objects.exists()


def test_my_account_lists_purchases_only_of_this_family(logged_in, org, leotard):
    from tests import family_factories

    neighbour = family_factories.family(org, last_name="Other")
    services.record_sale(
        family=neighbour,
        variant=shop.variant(leotard),
        location=org.location_set.get(),
        quantity=1,
        unit_price=leotard.price,
        order_number=1,
        now=leotard.variants.first().movements.first().created_at,
    )
    assert 'data-testid="purchase"' not in logged_in.get("/acme/account/").content.decode()

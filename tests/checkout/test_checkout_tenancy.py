"""Another family's or organization's order, payment method or receipt is a 404; a crafted
id changes nothing."""

import pytest

from springboard.billing.models import Payment, SavedPaymentMethod
from springboard.billing.payment_methods import save_payment_method
from springboard.checkout.models import OrderStatus
from tests.billing.factories import card_token
from tests.booking.conftest import make_family
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def paid_order(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    return order


def test_another_familys_order_is_a_404(client, org, paid_order):
    other, _student = make_family(org, last_name="Other")
    client.force_login(other.guardians.get().user)
    assert client.get(f"/acme/orders/{paid_order.pk}/").status_code == 404
    response = client.post("/acme/cart/checkout/", {"order": paid_order.pk, "attempt": 1})
    assert response.status_code == 404
    response = client.post("/acme/cart/checkout/cancel/", {"order": paid_order.pk})
    assert response.status_code == 404


def test_another_organizations_order_is_a_404(client, org, other_org, paid_order):
    rival, _student = make_family(other_org, last_name="Rival")
    client.force_login(rival.guardians.get().user)
    assert client.get(f"/rival/orders/{paid_order.pk}/").status_code == 404
    assert client.get(f"/acme/orders/{paid_order.pk}/").status_code in {302, 404}


@pytest.mark.parametrize("value", ["abc", "", "-1", "9" * 20])
def test_a_malformed_order_id_is_a_404(logged_in, org, family, value):
    cart_with_two_students(logged_in, org, family)
    start(logged_in)
    response = logged_in.post("/acme/cart/checkout/", {"order": value, "attempt": 1})
    assert response.status_code == 404


def test_another_familys_saved_method_is_a_404(logged_in, org, family):
    other, _student = make_family(org, last_name="Other")
    theirs = save_payment_method(organization=org, family=other, token=card_token(org))
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    data = pay_data(org, order, number=None, method=f"saved-{theirs.pk}")
    assert logged_in.post("/acme/cart/checkout/", data).status_code == 404
    assert not Payment.objects.exists()


def test_a_saved_method_of_ones_own_pays_and_a_new_card_can_be_saved(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, save_method="1"))
    assert response.status_code == 302
    saved = SavedPaymentMethod.objects.get(family=family[0])
    assert saved.last4 == "4242"
    cart_with_two_students(logged_in, org, family)
    second = start(logged_in)
    data = pay_data(second.organization, second, number=None, method=f"saved-{saved.pk}")
    assert logged_in.post("/acme/cart/checkout/", data).status_code == 302
    assert Payment.objects.filter(status="succeeded").count() == 2

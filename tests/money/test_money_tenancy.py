"""Another family's or organization's payment methods, charges and statements → 404."""

import pytest

from springboard.billing.models import Payment, SavedPaymentMethod
from springboard.billing.payment_methods import save_payment_method
from springboard.portal.views.payments import NONCES_KEY
from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family.guardians.get().user)
    return client


@pytest.fixture(params=["neighbour", "rival"])
def stranger(request, org, other_org):
    if request.param == "neighbour":
        return family_factories.family(org, last_name="Okafor")
    return family_factories.family(other_org, last_name="Chen")


def test_another_familys_payment_method_is_a_404(logged_in, stranger):
    org = stranger.organization
    method = save_payment_method(organization=org, family=stranger, token=billing.card_token(org))
    for action in ("remove", "default", "autopay_on"):
        response = logged_in.post(f"/acme/account/payment-methods/{method.pk}/", {"action": action})
        assert response.status_code == 404
    assert SavedPaymentMethod.objects.filter(pk=method.pk).exists()


def test_another_familys_charge_cannot_be_paid(logged_in, family, org, stranger):
    theirs = billing.charge(stranger, "40.00")
    logged_in.get("/acme/account/payments/")
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {
            "nonce": logged_in.session[NONCES_KEY][-1],
            "charge": [theirs.pk],
            "payment_token": billing.card_token(org),
        },
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_another_familys_charge_gets_no_credit(logged_in, family, stranger):
    billing.credit(family, "50.00")
    theirs = billing.charge(stranger, "40.00")
    response = logged_in.post(
        "/acme/account/payments/apply-credit/", {"charge": theirs.pk, "amount": "10.00"}
    )
    assert response.status_code == 404


def test_a_saved_method_of_another_family_cannot_pay(logged_in, family, org, stranger):
    theirs = save_payment_method(
        organization=stranger.organization,
        family=stranger,
        token=billing.card_token(stranger.organization),
    )
    charge = billing.charge(family, "40.00")
    logged_in.get("/acme/account/payments/")
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {
            "nonce": logged_in.session[NONCES_KEY][-1],
            "charge": [charge.pk],
            "saved_method": theirs.pk,
        },
    )
    assert response.status_code == 404


def test_statement_and_history_show_only_the_own_family(logged_in, family, stranger):
    billing.charge(stranger, "40.00", description="Their tuition")
    for url in ("/acme/account/history/", "/acme/account/statement/", "/acme/account/payments/"):
        response = logged_in.get(url)
        assert response.status_code == 200
        assert b"Their tuition" not in response.content


def test_money_pages_need_a_login(client, org):
    for url in ("/acme/account/payments/", "/acme/account/history/", "/acme/account/statement/"):
        assert client.get(url).status_code == 302

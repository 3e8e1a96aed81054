"""Staff's eGift Cards admin (balance and history, resend, void with a reason, links to the
orders) and tenancy: another organization's cards, orders and codes answer 404 or do not work,
in the portal and the admin."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from springboard.checkout.models import Order
from springboard.giftcards.models import TransactionKind
from springboard.tenancy.models import StaffRole
from tests import factories
from tests.checkout.helpers import pay_data, start
from tests.giftcards.conftest import a_card, buy_data, gift_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "gift_config")]


@pytest.fixture
def staff(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


def test_staff_see_the_balance_and_history_and_void_with_a_reason(
    staff, org, django_capture_on_commit_callbacks
):
    card, _code = a_card(org, "100.00", "110.00", now=timezone.now())
    listing = staff.get("/admin/giftcards/giftcard/").content.decode()
    assert card.last4 in listing and "$110.00" in listing
    page = staff.get(f"/admin/giftcards/giftcard/{card.pk}/change/").content.decode()
    assert "Issued" in page and "Bonus" in page
    refused = staff.post(f"/admin/giftcards/giftcard/{card.pk}/void/", {"reason": ""})
    assert refused.status_code == 200 and card.balance() == Decimal("110.00")
    response = staff.post(f"/admin/giftcards/giftcard/{card.pk}/void/", {"reason": "Fraud"})
    assert response.status_code == 302
    assert card.balance() == Decimal("0.00")
    void = card.transactions.get(kind=TransactionKind.VOIDED)
    assert (void.amount, void.reason) == (Decimal("-110.00"), "Fraud")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/admin/giftcards/giftcard/{card.pk}/resend/")
    assert mail.outbox[-1].to == ["sam@example.com"]


def test_the_buyers_order_and_the_card_link_both_ways(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    logged_in.post("/acme/egift-cards/", buy_data())
    order = start(logged_in)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    card = order.items.get().cart_item.gift_card_purchase.card
    logged_in.force_login(factories.staff_user(org, StaffRole.STAFF))
    card_page = logged_in.get(f"/admin/giftcards/giftcard/{card.pk}/change/").content.decode()
    assert f"/admin/checkout/order/{order.pk}/change/" in card_page
    order_page = logged_in.get(f"/admin/checkout/order/{order.pk}/change/").content.decode()
    assert f"/admin/giftcards/giftcard/{card.pk}/change/" in order_page


def test_another_organizations_card_is_404_in_the_admin(staff, org, other_org):
    gift_settings(other_org)
    theirs, _code = a_card(other_org, "50.00", now=timezone.now())
    for url in ["change/", "void/", "resend/"]:
        response = staff.get(f"/admin/giftcards/giftcard/{theirs.pk}/{url}")
        assert response.status_code in (302, 404), url
        if response.status_code == 302:  # the admin's "does not exist" redirect to its index
            assert str(theirs.pk) not in response["Location"]
    assert (
        staff.post(f"/admin/giftcards/giftcard/{theirs.pk}/void/", {"reason": "x"}).status_code
        == 404
    )
    assert theirs.balance() == Decimal("50.00")
    assert theirs.last4 not in staff.get("/admin/giftcards/giftcard/").content.decode()


def test_another_organizations_code_and_order_do_not_work_in_the_portal(
    logged_in, org, other_org, family
):
    gift_settings(other_org)
    _theirs, code = a_card(other_org, "50.00", now=timezone.now())
    page = logged_in.post("/acme/egift-cards/balance/", {"code": code})
    assert page.status_code == 400 and "does not work" in page.content.decode()
    logged_in.post("/acme/egift-cards/", buy_data())
    order = start(logged_in)
    other_family = factories_family(other_org)
    other_order = Order.objects.create(
        organization=other_org,
        family=other_family,
        created_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(minutes=15),
        total=Decimal("10.00"),
        due_now=Decimal("10.00"),
        priced_on=timezone.now().date(),
    )
    response = logged_in.post(
        "/acme/cart/checkout/gift-card/", {"order": other_order.pk, "code": code}
    )
    assert response.status_code == 404
    assert not order.gift_cards.exists() and not other_order.gift_cards.exists()


def factories_family(org):
    from tests import family_factories

    return family_factories.family(org, last_name="Other")


def test_egift_pages_are_404_when_the_switch_is_off(client, org):
    org.portal_settings.egift_cards_enabled = False
    org.portal_settings.save()
    assert client.get("/acme/egift-cards/").status_code == 404
    assert client.get("/acme/egift-cards/balance/").status_code == 404


def test_guest_families_are_left_out_of_the_family_list_unless_asked_for(staff, org):
    from springboard.families.guests import create_guest_family

    create_guest_family(organization=org, name="Pat Visitor", email="pat@example.com", phone="")
    factories_family(org)
    listing = staff.get("/admin/families/family/").content.decode()
    assert "Other" in listing and "Pat Visitor" not in listing
    visitors = staff.get("/admin/families/family/?visitors=only").content.decode()
    assert "Pat Visitor" in visitors

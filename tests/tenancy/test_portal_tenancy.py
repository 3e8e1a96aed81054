"""Every portal URL resolves its organization; another organization's ids answer 404."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from springboard.portal import urls as portal_urls
from tests import factories, family_factories
from tests.catalog import factories as catalog_factories

pytestmark = pytest.mark.django_db


def test_an_unknown_account_is_a_404_in_the_portals_look(client):
    response = client.get("/no-such-gym/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"bootstrap.subset.min.css" in response.content


def test_an_inactive_organization_is_not_served(client, org):
    org.is_active = False
    org.save()
    assert client.get("/acme/").status_code == 404


def test_the_root_lists_the_portals(client, org, other_org):
    response = client.get("/")
    assert b"Acme Gymnastics" in response.content
    assert b"Rival Swim" in response.content


def test_the_root_goes_straight_to_the_only_portal(client, org):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/acme/"


def _product(other):
    """Another organization's product, with ProShop on in both (so only tenancy says 404)."""
    from springboard.tenancy.models import PortalSettings
    from tests.shop import factories as shop_factories

    PortalSettings.objects.update(proshop_enabled=True)
    return shop_factories.product(other).pk


# Every portal URL that takes an id, with a way to make the other organization's object.
# A new URL with an id must be added here (test_every_id_url_is_covered enforces it).
ID_URLS = {
    "news_detail": lambda other: factories.news_item(other).pk,
    "course_detail": lambda other: catalog_factories.course(other).pk,
    "event_detail": lambda other: catalog_factories.event(other, days=[date(2099, 1, 1)]).pk,
    "party_package": lambda other: catalog_factories.party_package(other).pk,
    "policy_detail": lambda other: family_factories.policy(other).pk,
    "party_slot": lambda other: (
        catalog_factories.party_slot(other, datetime(2099, 1, 1, 15, tzinfo=UTC)).pk
    ),
    "product_detail": _product,
}
# Pages of a logged-in family that take an id: tests/portal/test_account_tenancy.py proves them.
# claim_offer (a waitlist offer's token): tests/booking/test_cart_pages.py proves it.
# order_detail: tests/checkout/test_checkout_tenancy.py proves it.
FAMILY_ID_URLS = {
    "student_edit",
    "guardian_edit",
    "emergency_contact_edit",
    "claim_offer",
    "order_detail",
}
# payment_method (a saved card or bank account): tests/money/test_money_tenancy.py.
FAMILY_ID_URLS |= {"payment_method"}
# enrollment_drop (My Account's Drop page): tests/booking/test_drops.py
# test_another_familys_or_organizations_enrollment_is_a_404.
FAMILY_ID_URLS |= {"enrollment_drop"}
# enrollment_transfer, transfer_confirm (My Account's Transfer pages):
# tests/booking/test_transfers.py test_the_transfer_pages_hold_confirm_and_refuse_politely;
# camp_cancel, party_cancel: tests/booking/test_cancellations.py (another family: 404; the
# rows are read through the request's organization and family).
FAMILY_ID_URLS |= {"enrollment_transfer", "transfer_confirm", "camp_cancel", "party_cancel"}
# enrollment_absences (Absences and makeups): tests/attendance/test_pages.py
# test_another_familys_or_organizations_enrollment_is_a_404.
FAMILY_ID_URLS |= {"enrollment_absences"}
# calendar_feed (a family's feed token): tests/portal/test_calendar_feed.py.
FAMILY_ID_URLS |= {"calendar_feed"}


def test_every_id_url_is_covered():
    with_ids = {pattern.name for pattern in portal_urls.urlpatterns if pattern.pattern.converters}
    covered = set(ID_URLS) | FAMILY_ID_URLS
    assert with_ids <= covered, f"add {with_ids - covered} to ID_URLS"


@pytest.mark.parametrize("name", sorted(ID_URLS))
def test_another_organizations_id_is_a_404(client, org, other_org, name):
    other_id = ID_URLS[name](other_org)
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    id_name = next(iter(pattern.pattern.converters))
    url = reverse(f"portal:{name}", kwargs={"account": "acme", id_name: other_id})
    assert client.get(url).status_code == 404
    # ...while under its own organization the same id is served.
    own_url = url.replace("/acme/", "/rival/", 1)
    assert client.get(own_url).status_code == 200


def test_choosing_another_organizations_location_is_a_404(client, org, other_org):
    rival_location = other_org.location_set.get()
    response = client.post("/acme/location/", {"location": rival_location.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["abc", "", "99999999", "-1", "x" * 10_000])
def test_a_bad_location_id_is_a_404_and_remembers_nothing(client, org, value):
    response = client.post("/acme/location/", {"location": value})
    assert response.status_code == 404
    assert not any(key.startswith("location:") for key in client.session.keys())  # noqa: SIM118

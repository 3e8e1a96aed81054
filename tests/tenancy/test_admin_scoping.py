"""Staff see and change only their organizations' rows in the admin; a superuser sees all."""

import pytest

from springboard.content.models import NewsItem
from springboard.tenancy.models import StaffRole
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_staff(org):
    return factories.staff_user(org, StaffRole.STAFF)


@pytest.fixture
def acme_owner(org):
    return factories.staff_user(org, StaffRole.OWNER)


def test_staff_list_only_their_organizations_news(client, org, other_org, acme_staff):
    factories.news_item(org, title="Acme meet results")
    factories.news_item(other_org, title="Rival pool party")
    client.force_login(acme_staff)
    response = client.get("/admin/content/newsitem/")
    assert response.status_code == 200
    assert b"Acme meet results" in response.content
    assert b"Rival pool party" not in response.content


def test_staff_cannot_open_another_organizations_news(client, org, other_org, acme_staff):
    rival = factories.news_item(other_org, title="Rival pool party")
    client.force_login(acme_staff)
    response = client.get(f"/admin/content/newsitem/{rival.pk}/change/", follow=True)
    assert b"Rival pool party" not in response.content
    assert b"doesn" in response.content  # "… with ID … doesn't exist"


def test_staff_cannot_post_a_row_into_another_organization(client, org, other_org, acme_staff):
    client.force_login(acme_staff)
    response = client.post(
        "/admin/content/newsitem/add/",
        {
            "organization": other_org.pk,
            "title_en": "Sneaky",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00",
        },
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not NewsItem.objects.filter(title="Sneaky").exists()


def test_the_add_form_offers_only_their_organizations(client, org, other_org, acme_staff):
    client.force_login(acme_staff)
    response = client.get("/admin/content/newsitem/add/")
    assert b"Acme Gymnastics" in response.content
    assert b"Rival Swim" not in response.content


def test_staff_can_add_news_for_their_organization(client, org, acme_staff):
    client.force_login(acme_staff)
    response = client.post(
        "/admin/content/newsitem/add/",
        {
            "organization": org.pk,
            "title_en": "Open gym Friday",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00",
            "body_html_en": "<p>Hi</p><script>alert(1)</script>",
        },
    )
    assert response.status_code == 302, response.content
    item = NewsItem.objects.get(title="Open gym Friday")
    assert item.organization == org
    assert "<script>" not in item.body_html


def test_staff_cannot_change_settings_or_memberships(client, org, acme_staff):
    client.force_login(acme_staff)
    assert client.get(f"/admin/tenancy/organization/{org.pk}/change/").status_code == 403
    assert client.get("/admin/tenancy/staffmembership/").status_code == 403
    assert client.get("/admin/families/user/").status_code == 403


def test_an_owner_changes_their_portal_settings(client, org, other_org, acme_owner):
    client.force_login(acme_owner)
    assert client.get(f"/admin/tenancy/organization/{org.pk}/change/").status_code == 200
    response = client.get(f"/admin/tenancy/organization/{other_org.pk}/change/", follow=True)
    assert b"Rival Swim" not in response.content.split(b"<main", 1)[-1]


def test_an_owner_adds_a_staff_member_to_their_organization_only(
    client, org, other_org, acme_owner
):
    client.force_login(acme_owner)
    response = client.post(
        "/admin/tenancy/staffmembership/add/",
        {
            "organization": org.pk,
            "email": "New.Coach@Example.com",
            "role": "staff",
            "new_password": "a-long-enough-password",
        },
    )
    assert response.status_code == 302, response.content
    coach = org.staffmembership_set.get(user__email="new.coach@example.com").user
    assert coach.is_staff
    response = client.post(
        "/admin/tenancy/staffmembership/add/",
        {
            "organization": other_org.pk,
            "email": "spy@example.com",
            "role": "owner",
            "new_password": "a-long-enough-password",
        },
    )
    assert b"Select a valid choice" in response.content
    assert not other_org.staffmembership_set.exists()


def test_a_superuser_sees_every_organization(client, org, other_org):
    factories.news_item(org, title="Acme meet results")
    factories.news_item(other_org, title="Rival pool party")
    admin = factories.user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/content/newsitem/")
    assert b"Acme meet results" in response.content
    assert b"Rival pool party" in response.content


def test_a_staff_user_of_no_organization_sees_nothing(client, org):
    factories.news_item(org, title="Acme meet results")
    loner = factories.user(is_staff=True)
    client.force_login(loner)
    assert client.get("/admin/content/newsitem/").status_code == 403


def test_related_list_filters_name_only_their_organizations_rows(
    client, org, other_org, acme_staff
):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from springboard.tenancy.admin_scoping import OrganizationScopedAdmin
    from springboard.tenancy.models import Location

    class LocationByOrganizationAdmin(OrganizationScopedAdmin):
        list_filter = ["organization", "name"]

    request = RequestFactory().get("/admin/")
    request.user = acme_staff
    filters = LocationByOrganizationAdmin(Location, django_admin.site).get_list_filter(request)
    assert filters[0] == ("organization", django_admin.RelatedOnlyFieldListFilter)
    assert filters[1] == "name"


def test_staff_type_times_in_their_organizations_time_zone(client, org, acme_staff):
    org.time_zone = "America/Chicago"
    org.save()
    client.force_login(acme_staff)
    response = client.post(
        "/admin/content/newsitem/add/",
        {
            "organization": org.pk,
            "title_en": "Open gym",
            "published_at_0": "2026-01-15",
            "published_at_1": "10:00",
        },
    )
    assert response.status_code == 302
    published = NewsItem.objects.get(title="Open gym").published_at
    assert published.isoformat() == "2026-01-15T16:00:00+00:00"

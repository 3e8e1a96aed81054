"""Tenancy by enforcement: tenant rows refuse to be read outside an organization scope.

A view that forgets `for_organization` raises ScopeError (outside /<account>/) or sees only
its own organization's rows (inside a portal request): it never leaks another organization's.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django_scopes import ScopeError, scope

from config.urls import urlpatterns as site_urlpatterns
from springboard.families.codes import code_for, issue_code
from springboard.families.models import CodePurpose, Family, Guardian
from springboard.families.passwords import confirm_email_change
from springboard.tenancy.models import TenantModel
from tests import factories, family_factories

pytestmark = pytest.mark.django_db


def forgetful_view(request, pk):
    """A view that forgot the organization: reads a family by id alone."""
    return HttpResponse(get_object_or_404(Family, pk=pk).name)


urlpatterns = [
    path("forgetful/<int:pk>/", forgetful_view),
    path("<slug:account>/forgetful/<int:pk>/", forgetful_view),
    *site_urlpatterns,
]


def _tenant_models():
    return [model for model in apps.get_models() if issubclass(model, TenantModel)]


def test_every_tenant_model_refuses_reads_outside_an_organization_scope():
    assert len(_tenant_models()) > 20
    with scope():
        for model in _tenant_models():
            with pytest.raises(ScopeError):
                list(model.objects.all())
            with pytest.raises(ScopeError):
                model.objects.filter(pk=1).exists()
            with pytest.raises(ScopeError):
                model.objects.for_organization(None)


def test_inside_an_organization_scope_reads_see_only_that_organization(org, other_org):
    ours = family_factories.family(org, last_name="Acme")
    family_factories.family(other_org, last_name="Zebra")
    with scope(organization=org):
        assert list(Family.objects.all()) == [ours]
        assert not Family.objects.filter(name__contains="Zebra").exists()


@pytest.mark.urls(__name__)
def test_a_view_that_forgets_the_organization_raises_instead_of_leaking(client, other_org):
    rival = family_factories.family(other_org, last_name="Zebra")
    with pytest.raises(ScopeError):
        client.get(f"/forgetful/{rival.pk}/")


@pytest.mark.urls(__name__)
def test_a_portal_view_that_forgets_the_organization_finds_no_other_organizations_row(
    client, org, other_org
):
    rival = family_factories.family(other_org, last_name="Zebra")
    response = client.get(f"/acme/forgetful/{rival.pk}/")
    assert response.status_code == 404
    assert b"Zebra" not in response.content
    assert client.get(f"/rival/forgetful/{rival.pk}/").content == b"The Zebra Family"


def test_housekeeping_runs_across_organizations_by_itself(org):
    with scope():  # what cron gives it: no organization scope
        call_command("housekeeping", stdout=io.StringIO())


def test_the_admin_reads_across_organizations_for_a_superuser(client, org, other_org):
    family_factories.family(org, last_name="Acme")
    family_factories.family(other_org, last_name="Zebra")
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    response = client.get("/admin/families/family/")
    assert b"The Acme Family" in response.content
    assert b"The Zebra Family" in response.content


def test_a_logins_email_change_in_one_portal_reaches_its_families_everywhere(org, other_org):
    here = family_factories.family(org, last_name="Acme")
    user = here.guardians.get().user
    family_factories.family(other_org, user=user, last_name="Acme")
    now = timezone.now()
    record = issue_code(
        purpose=CodePurpose.EMAIL_CHANGE, email="new@example.com", user=user, now=now
    )
    code = code_for(record)
    with scope(organization=org):  # as in a request to /acme/
        confirm_email_change(
            organization=org, user=user, new_email="new@example.com", code=code, now=now
        )
    assert set(Family.objects.filter(guardians__user=user).values_list("email", flat=True)) == {
        "new@example.com"
    }
    assert set(Guardian.objects.filter(user=user).values_list("email", flat=True)) == {
        "new@example.com"
    }

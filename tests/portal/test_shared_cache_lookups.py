"""Per-request lookups from the shared cache (issue 17, item 3; docs/performance.md).

With a shared cache (production's Redis; here local memory in one process, which is what a
shared cache looks like to a single worker) the organization and its locations, the login,
the family and its policy gate are read from the cache, and every change to them shows on
the next request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from springboard.families.models import Family, Student
from springboard.tenancy.models import Organization
from tests import factories, family_factories

pytestmark = pytest.mark.django_db

DASHBOARD = "/acme/dashboard/"
ACCOUNT = "/acme/account/"
LOOKED_UP = (
    '"tenancy_organization"',
    '"tenancy_location"',
    '"families_user"',
    '"families_family"',
    '"families_policy"',
)


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def user(family):
    return family.guardians.get().user


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def _from_tables(client, url=DASHBOARD) -> set[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return {
        table
        for query in captured.captured_queries
        for table in LOOKED_UP
        if query["sql"].startswith(f'SELECT {table}."id"')  # reads of the rows themselves
    }


def test_a_repeated_page_looks_up_no_organization_login_family_or_policies(org, logged_in, family):
    for _number in range(3):
        factories.location(org)
        family_factories.student(family)
    family_factories.agree_to_everything(family)
    logged_in.get(DASHBOARD)  # fills the cache
    assert _from_tables(logged_in) == set()


def test_the_same_whatever_the_number_of_policies_and_locations(org, logged_in, family):
    logged_in.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        logged_in.get(DASHBOARD)
    for _number in range(5):
        factories.location(org)
        family_factories.policy(org)
    family_factories.agree_to_everything(family)
    logged_in.get(DASHBOARD)
    with CaptureQueriesContext(connection) as many:
        logged_in.get(DASHBOARD)
    assert len(many) == len(few)


def test_a_new_required_policy_gates_at_once_and_answering_it_opens_the_portal(
    org, logged_in, family, user
):
    logged_in.get(DASHBOARD)
    family_factories.policy(org, title="Liability waiver")
    response = logged_in.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/policies/")
    family_factories.agree_to_everything(family, user)  # bulk_create: no signals
    assert logged_in.get(DASHBOARD).status_code == 200


def test_a_new_student_owes_the_student_policies_on_the_next_page(org, logged_in, family):
    family_factories.policy(org, kind="student", title="Student waiver")
    family_factories.agree_to_everything(family)
    assert logged_in.get(DASHBOARD).status_code == 200
    family_factories.student(family, first_name="Newcomer")
    assert logged_in.get(DASHBOARD).status_code == 302


def test_an_organization_rename_and_a_new_location_show_on_the_next_page(org, logged_in):
    logged_in.get(DASHBOARD)
    org.name = "Acme Flips"
    org.save()
    factories.location(org, name="Northside Annex")
    page = logged_in.get(DASHBOARD).content.decode()
    assert "Acme Flips" in page
    assert "Northside Annex" in page


def test_a_switched_off_organization_is_a_404_on_the_next_request(org, logged_in):
    logged_in.get(DASHBOARD)
    Organization.objects.filter(pk=org.pk).update(is_active=False)
    from springboard.tenancy import cached

    cached.changed()  # what a queryset update must do (documented)
    assert logged_in.get(DASHBOARD).status_code == 404


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_a_password_change_or_deactivation_logs_the_session_out_at_once(logged_in, user, change):
    assert logged_in.get(ACCOUNT).status_code == 200
    if change == "password":
        user.set_password("a-brand-new-password-42")
    else:
        user.is_active = False
    user.save()
    response = logged_in.get(ACCOUNT)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_confirmed_email_lets_the_family_book_on_the_next_request(org, client):
    family = family_factories.family(org, confirmed=False)
    family_factories.student(family)
    user = family.guardians.get().user
    client.force_login(user)
    assert client.get("/acme/cart/").status_code == 302  # to "confirm your email"
    Family.objects.filter(pk=family.pk).update(email_confirmed_at=None)
    from springboard.families import cached

    # confirm_email's queryset update bumps the login's families (services.confirm_email)
    Family.objects.filter(pk=family.pk).update(email_confirmed_at=timezone.now())
    cached.login_families_changed(user.pk)
    assert client.get("/acme/cart/").status_code == 200


def test_another_guardians_family_edit_shows_for_this_login(org, logged_in, family):
    logged_in.get("/acme/account/")
    family.name = "The Rivera-Okafor Family"
    family.save()
    assert "Rivera-Okafor" in logged_in.get("/acme/account/").content.decode()


def test_a_deactivated_student_is_gone_from_the_gate(org, logged_in, family):
    student = family_factories.student(family)
    family_factories.policy(org, kind="student")
    assert logged_in.get(DASHBOARD).status_code == 302
    Student.objects.get(pk=student.pk).delete()
    assert logged_in.get(DASHBOARD).status_code == 200


def test_unknown_accounts_are_404s_and_leave_nothing_in_the_cache(org, client):
    client.get(DASHBOARD)
    before = len(cache._cache)  # local memory's entries
    for account in ["nobody", "x" * 300, "acme-gone"]:
        assert client.get(f"/{account}/dashboard/").status_code == 404
    assert len(cache._cache) == before

"""A family sees only its own students, guardians, contacts and its organization's policies."""

import pytest

from tests import family_factories

pytestmark = pytest.mark.django_db

MAKERS = {
    "student_edit": ("student_id", family_factories.student),
    "guardian_edit": ("guardian_id", family_factories.guardian),
    "emergency_contact_edit": ("contact_id", family_factories.emergency_contact),
}
PATHS = {
    "student_edit": "account/students/{}/",
    "guardian_edit": "account/guardians/{}/",
    "emergency_contact_edit": "account/emergency-contacts/{}/",
}


@pytest.fixture
def demo_family(org):
    return family_factories.family(org)


@pytest.fixture
def logged_in(client, demo_family):
    client.force_login(demo_family.guardians.get().user)
    return client


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_another_organizations_ids_are_a_404(logged_in, demo_family, other_org, name):
    rival_family = family_factories.family(other_org, last_name="Chen")
    _, make = MAKERS[name]
    rival_id = make(rival_family).pk
    own_id = make(demo_family).pk
    path = PATHS[name]
    assert logged_in.get("/acme/" + path.format(own_id)).status_code == 200
    assert logged_in.get("/acme/" + path.format(rival_id)).status_code == 404
    assert logged_in.post("/acme/" + path.format(rival_id), {"first_name": "X"}).status_code == 404


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_another_family_of_the_same_organization_is_a_404(logged_in, org, name):
    neighbour = family_factories.family(org, last_name="Okafor")
    _, make = MAKERS[name]
    assert logged_in.get("/acme/" + PATHS[name].format(make(neighbour).pk)).status_code == 404


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_own_ids_under_another_organization_are_a_404(logged_in, demo_family, other_org, name):
    _, make = MAKERS[name]
    own_id = make(demo_family).pk
    assert logged_in.get("/rival/" + PATHS[name].format(own_id)).status_code == 404
    family_factories.family(other_org, user=demo_family.guardians.get(is_primary=True).user)
    assert logged_in.get("/rival/" + PATHS[name].format(own_id)).status_code == 404


def test_another_organizations_policy_is_a_404(logged_in, other_org):
    rival = family_factories.policy(other_org)
    assert logged_in.get(f"/acme/policies/{rival.pk}/").status_code == 404

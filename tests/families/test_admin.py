"""Staff edit their organization's families, students and policies in the admin."""

import pytest

from springboard.families.models import Policy, PolicyAppliesTo, PolicyKind
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


def test_staff_see_only_their_families_escaped(staff, org, other_org):
    family_factories.family(org, last_name="<script>alert(1)</script>")
    family_factories.family(other_org, last_name="Chen")
    page = staff.get("/admin/families/family/")
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert b"&lt;script&gt;" in page.content
    assert b"The Chen Family" not in page.content


def test_staff_open_a_family_with_its_guardians_and_students(staff, org, other_org):
    family = family_factories.family(org)
    family_factories.student(family, first_name="Mia")
    assert b"Mia" in staff.get(f"/admin/families/family/{family.pk}/change/").content
    rival = family_factories.family(other_org)
    response = staff.get(f"/admin/families/family/{rival.pk}/change/", follow=True)
    assert b"doesn" in response.content


def test_editing_a_policys_text_in_the_admin_makes_a_new_version(staff, org):
    policy = family_factories.policy(org, title="Waiver", text="First words.")
    data = {
        "organization": org.pk,
        "kind": PolicyKind.FAMILY,
        "title_en": "Waiver",
        "text_en": "Second words.",
        "applies_to": PolicyAppliesTo.MONTHLY_TUITION,
        "required": "on",
        "show_on_web": "on",
        "is_active": "on",
        "position": 0,
        "versions-TOTAL_FORMS": 1,
        "versions-INITIAL_FORMS": 1,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
        "versions-0-id": policy.versions.get().pk,
        "versions-0-policy": policy.pk,
    }
    response = staff.post(f"/admin/families/policy/{policy.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    policy = Policy.objects.get()
    assert [v.text for v in policy.versions.order_by("number")] == ["First words.", "Second words."]
    assert policy.applies_to == PolicyAppliesTo.MONTHLY_TUITION  # staff set it in the admin


def test_agreements_are_read_only(staff, org):
    family = family_factories.family(org)
    family_factories.policy(org)
    family_factories.agree_to_everything(family)
    page = staff.get("/admin/families/policyagreement/")
    assert b"The Rivera Family" in page.content
    assert staff.get("/admin/families/policyagreement/add/").status_code == 403

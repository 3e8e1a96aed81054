"""The policy gate: a family answers every required policy before anything else."""

import pytest

from springboard.families.models import PolicyAgreement, PolicyKind
from tests import family_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def user(family):
    return family.guardians.get().user


@pytest.fixture
def waiver(org):
    return family_factories.policy(org, title="Liability waiver", text="Gymnastics is a sport.")


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


GATED = [
    "/acme/",
    "/acme/dashboard/",
    "/acme/news/",
    "/acme/account/",
    "/acme/account/students/add/",
]


@pytest.mark.parametrize("url", GATED)
def test_every_portal_page_redirects_to_the_policies(logged_in, waiver, url):
    response = logged_in.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/policies/?next=")


def test_htmx_requests_get_hx_redirect(logged_in, waiver):
    response = logged_in.get(
        "/acme/news/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/acme/news/?page=2"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/acme/policies/?next=%2Facme%2Fnews%2F%3Fpage%3D2"


@pytest.mark.parametrize("url", ["/acme/policies/family/", "/acme/switch/"])
def test_policy_pages_and_switching_stay_open(logged_in, waiver, url):
    assert logged_in.get(url).status_code == 200


def test_logout_stays_open(logged_in, waiver):
    assert logged_in.post("/acme/logout/")["Location"] == "/acme/dashboard/"


def test_visitors_and_families_without_pending_policies_are_not_gated(client, logged_in, org):
    family_factories.policy(org, required=False)
    family_factories.policy(org, show_on_web=False)
    family_factories.policy(org, is_active=False)
    family_factories.policy(org, kind=PolicyKind.TRANSACTION)
    assert logged_in.get("/acme/dashboard/").status_code == 200


def test_agreeing_lands_on_the_page_asked_for(logged_in, family, user, waiver):
    response = logged_in.get("/acme/news/")
    page = logged_in.get(response["Location"])
    assert b"Liability waiver" in page.content
    assert b"Gymnastics is a sport." in page.content
    key = f"p{waiver.pk}-s0"
    response = logged_in.post(
        "/acme/policies/",
        {key: "on", "signature": "Ana Rivera", "next": "/acme/news/"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response["Location"] == "/acme/news/"
    agreement = PolicyAgreement.objects.get()
    assert (agreement.family, agreement.user, agreement.signature) == (family, user, "Ana Rivera")
    assert agreement.ip_address == "203.0.113.9"
    assert agreement.version == waiver.current_version
    assert agreement.accepted
    assert logged_in.get("/acme/news/").status_code == 200
    page = logged_in.get("/acme/policies/family/")
    assert b"Liability waiver" in page.content
    assert b"Ana Rivera" in page.content


def test_without_a_next_page_the_family_lands_on_the_dashboard(logged_in, waiver):
    response = logged_in.post("/acme/policies/", {f"p{waiver.pk}-s0": "on", "signature": "Ana"})
    assert response["Location"] == "/acme/dashboard/"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"signature": "Ana"}, b"Agree to this policy"),
        ({"signature": ""}, b'id="id_signature_error"'),
    ],
)
def test_a_required_policy_must_be_agreed_and_signed(logged_in, waiver, data, error):
    response = logged_in.post("/acme/policies/", data)
    assert response.status_code == 200
    assert error in response.content
    assert not PolicyAgreement.objects.exists()


def test_optional_policies_may_be_declined(logged_in, org, waiver):
    photos = family_factories.policy(org, title="Photo consent", required=False)
    logged_in.post("/acme/policies/", {f"p{waiver.pk}-s0": "on", "signature": "Ana"})
    declined = PolicyAgreement.objects.get(version__policy=photos)
    assert not declined.accepted
    assert logged_in.get("/acme/dashboard/").status_code == 200
    assert b"Declined" in logged_in.get("/acme/policies/family/").content


def test_a_new_version_asks_again(logged_in, family, waiver):
    family_factories.agree_to_everything(family)
    assert logged_in.get("/acme/dashboard/").status_code == 200
    waiver.title = "Liability waiver (renamed)"
    waiver.save()  # same text: same version
    assert logged_in.get("/acme/dashboard/").status_code == 200
    waiver.text = "Gymnastics is a sport. Please read the new rules."
    waiver.save()
    assert waiver.versions.count() == 2
    assert logged_in.get("/acme/dashboard/").status_code == 302
    assert b"Please read the new rules." in logged_in.get("/acme/policies/").content


def test_student_policies_are_asked_for_each_student(logged_in, org, family):
    first = family_factories.student(family, first_name="Mia")
    second = family_factories.student(family, first_name="Leo")
    medical = family_factories.policy(org, kind=PolicyKind.STUDENT, title="Medical release")
    page = logged_in.get("/acme/policies/")
    assert page.content.count(b'data-testid="policy-item"') == 2
    assert b"Mia Rivera" in page.content and b"Leo Rivera" in page.content
    response = logged_in.post(
        "/acme/policies/", {f"p{medical.pk}-s{first.pk}": "on", "signature": "Ana"}
    )
    assert response.status_code == 200  # Leo still missing
    logged_in.post(
        "/acme/policies/",
        {f"p{medical.pk}-s{first.pk}": "on", f"p{medical.pk}-s{second.pk}": "on", "signature": "A"},
    )
    assert PolicyAgreement.objects.filter(version__policy=medical).count() == 2
    assert logged_in.get("/acme/dashboard/").status_code == 200
    # A new student must be agreed for too.
    family_factories.student(family, first_name="Zoe")
    assert logged_in.get("/acme/dashboard/").status_code == 302
    page = logged_in.get("/acme/policies/student/")
    assert b"Mia Rivera" in page.content


def test_another_organizations_policy_cannot_be_agreed_to(logged_in, other_org, waiver):
    rival = family_factories.policy(other_org)
    logged_in.post(
        "/acme/policies/",
        {f"p{waiver.pk}-s0": "on", f"p{rival.pk}-s0": "on", "signature": "Ana"},
    )
    assert not PolicyAgreement.objects.filter(version__policy=rival).exists()


def test_the_gate_follows_login(client, family, waiver):
    from tests.factories import PASSWORD

    response = client.post(
        "/acme/login/", {"email": family.email, "password": PASSWORD, "next": "/acme/news/"}
    )
    assert response["Location"] == "/acme/news/"
    assert client.get("/acme/news/")["Location"] == "/acme/policies/?next=%2Facme%2Fnews%2F"

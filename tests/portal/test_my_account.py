"""My Account: contact information, email change by code, guardians, contacts, students."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from springboard.families.models import EmergencyContact, Guardian, Student, User
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


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


def test_my_account_shows_the_family(logged_in, family):
    family_factories.student(family, first_name="Mia")
    family_factories.emergency_contact(family)
    page = logged_in.get("/acme/account/")
    assert b"The Rivera Family" in page.content
    assert b"Mia Rivera" in page.content
    assert b"Grandma Rivera" in page.content
    assert b"(217) 555-0147" in page.content


def test_contact_information_is_validated_and_saved(logged_in, family):
    data = {
        "mobile_phone": "217 555 0199",
        "address_line1": "5 Oak Lane",
        "city": "Springfield",
        "postal_code": "62702",
    }
    bad = logged_in.post("/acme/account/contact/", {**data, "mobile_phone": "555"})
    assert b'id="id_mobile_phone_error"' in bad.content
    assert logged_in.post("/acme/account/contact/", data)["Location"] == "/acme/account/"
    family.refresh_from_db()
    assert (family.mobile_phone, family.address_line1) == ("+12175550199", "5 Oak Lane")


def test_changing_the_email_needs_the_password_and_a_code(
    logged_in, user, family, django_capture_on_commit_callbacks
):
    wrong = logged_in.post(
        "/acme/account/email/", {"new_email": "new@example.com", "password": "not-it-at-all"}
    )
    assert b"password is not right" in wrong.content
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            "/acme/account/email/", {"new_email": "New@Example.com", "password": PASSWORD}
        )
    assert response["Location"] == "/acme/account/email/confirm/"
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    user.refresh_from_db()
    assert user.email != "new@example.com"  # not until the code comes back
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert logged_in.post("/acme/account/email/confirm/", {"code": code}).status_code == 302
    user.refresh_from_db()
    family.refresh_from_db()
    assert user.email == family.email == "new@example.com"
    assert logged_in.get("/acme/account/").status_code == 200  # still logged in


def test_an_email_taken_by_another_login_is_refused(logged_in):
    family_factories.login("taken@example.com")
    response = logged_in.post(
        "/acme/account/email/", {"new_email": "taken@example.com", "password": PASSWORD}
    )
    assert b"Another login uses that email" in response.content


def test_a_second_guardian_is_invited_to_their_own_login(
    logged_in, family, django_capture_on_commit_callbacks
):
    data = {
        "first_name": "Luis",
        "last_name": "Rivera",
        "email": "luis@example.com",
        "relationship": "Father",
        "may_pick_up": "on",
        "invite": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in.post("/acme/account/guardians/add/", data).status_code == 302
    guardian = Guardian.objects.get(email="luis@example.com")
    assert guardian.family == family and guardian.user is None
    (message,) = mail.outbox
    url = re.search(r"(http://testserver\S+)", message.body).group(1)
    parts = urlsplit(url)
    luis = Client()
    page = luis.get(f"{parts.path}?{parts.query}")
    assert b"Join The Rivera Family" in page.content
    response = luis.post(f"{parts.path}?{parts.query}", {"password": "parallel-bars-77"})
    assert response["Location"] == "/acme/dashboard/"
    guardian.refresh_from_db()
    assert guardian.user.email == "luis@example.com"
    assert luis.get("/acme/dashboard/").context["family"] == family
    # The invitation works once.
    assert Client().get(f"{parts.path}?{parts.query}").status_code == 404


def test_a_forged_invitation_is_refused(client, org):
    assert client.get("/acme/account/join/?token=forged").status_code == 404


def test_an_invitation_needs_an_email(logged_in):
    response = logged_in.post(
        "/acme/account/guardians/add/", {"first_name": "L", "last_name": "R", "invite": "on"}
    )
    assert b'id="id_email_error"' in response.content


def test_emergency_contacts_are_added_and_updated(logged_in, family):
    response = logged_in.post(
        "/acme/account/emergency-contacts/add/",
        {"name": "Aunt Rosa", "phone": "(217) 555-0111", "relationship": "Aunt"},
    )
    assert response.status_code == 302
    contact = EmergencyContact.objects.get()
    assert (contact.family, contact.phone) == (family, "+12175550111")
    logged_in.post(
        f"/acme/account/emergency-contacts/{contact.pk}/",
        {"name": "Aunt Rosa M.", "phone": "(217) 555-0111"},
    )
    contact.refresh_from_db()
    assert contact.name == "Aunt Rosa M."


def test_students_are_added_and_updated_but_never_born_in_the_future(logged_in, family):
    data = {"first_name": "Mia", "last_name": "Rivera", "birth_date": "2018-04-02"}
    assert (
        logged_in.post("/acme/account/students/add/", {**data, "gender": "female"}).status_code
        == 302
    )
    student = Student.objects.get()
    response = logged_in.post(
        f"/acme/account/students/{student.pk}/",
        {**data, "gender": "female", "birth_date": "2999-01-01"},
    )
    assert b"cannot be in the future" in response.content
    logged_in.post(f"/acme/account/students/{student.pk}/", {**data, "gender": "other"})
    student.refresh_from_db()
    assert (student.gender, str(student.birth_date)) == ("other", "2018-04-02")


def test_live_shows_a_video_or_a_clear_link(logged_in, org):
    settings = org.portal_settings
    assert logged_in.get("/acme/live/").status_code == 404  # off
    settings.live_enabled = True
    settings.live_stream_url = "https://video.example.com/gym/floor.mp4"
    settings.save()
    page = logged_in.get("/acme/live/")
    assert b'<video class="w-100" src="https://video.example.com/gym/floor.mp4"' in page.content
    assert "media-src 'self' https://video.example.com" in page["Content-Security-Policy"]
    settings.live_stream_url = "https://example.com/live/demo.m3u8"
    settings.save()
    page = logged_in.get("/acme/live/")
    assert b'data-testid="live-link"' in page.content
    assert "media-src" not in page["Content-Security-Policy"]


def test_live_asks_a_visitor_to_log_in(client, org):
    org.portal_settings.live_enabled = True
    org.portal_settings.live_stream_url = "https://example.com/live.mp4"
    org.portal_settings.save()
    assert client.get("/acme/live/")["Location"].startswith("/acme/login/")


def test_the_menu_shows_family_entries_once_logged_in(logged_in, org):
    org.portal_settings.live_enabled = True
    org.portal_settings.live_stream_url = "https://example.com/live.mp4"
    org.portal_settings.save()
    page = logged_in.get("/acme/dashboard/").content
    for url in (b"/acme/policies/family/", b"/acme/policies/student/", b"/acme/live/"):
        assert url in page
    assert User.objects.count() == 1


def test_names_with_script_tags_are_escaped_in_emails(
    logged_in, family, django_capture_on_commit_callbacks
):
    family.name = "The <script>x</script> Family"
    family.save()
    data = {"first_name": "<script>y</script>", "last_name": "R", "email": "g@example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/account/guardians/add/", {**data, "invite": "on"})
    html = mail.outbox[-1].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_my_account_and_the_gate_do_not_grow_with_students(logged_in, family, org):
    from springboard.families.models import PolicyKind
    from tests.helpers import queries_for

    family_factories.policy(org, kind=PolicyKind.STUDENT)
    family_factories.student(family)
    family_factories.agree_to_everything(family)
    one = queries_for(logged_in, "/acme/account/")
    for _ in range(5):
        family_factories.student(family)
    family_factories.agree_to_everything(family)
    assert queries_for(logged_in, "/acme/account/") == one


def test_an_invited_guardian_with_a_login_logs_in_and_joins(
    logged_in, family, other_org, django_capture_on_commit_callbacks
):
    luis = family_factories.family(other_org, last_name="Chen").guardians.get().user
    data = {"first_name": "Luis", "last_name": "Chen", "email": luis.email, "invite": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/account/guardians/add/", data)
    parts = urlsplit(re.search(r"(http://testserver\S+)", mail.outbox[-1].body).group(1))
    join = f"{parts.path}?{parts.query}"
    browser = Client()
    to_login = browser.get(join)["Location"]
    assert to_login.startswith("/acme/login/?current=yes&next=")
    response = browser.post(
        "/acme/login/", {"email": luis.email, "password": PASSWORD, "next": join}
    )
    assert response["Location"] == join
    assert b'data-testid="join-confirm"' in browser.get(join).content  # joined by POST only
    assert browser.post(join)["Location"] == "/acme/dashboard/"
    assert browser.get("/acme/dashboard/").context["family"] == family
    assert User.objects.filter(email=luis.email).count() == 1

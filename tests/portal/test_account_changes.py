"""Account changes: a new email tells the old address and ends the other sessions; a family
changes its password in My Account (other sessions end, this one stays); an invitation is
taken up by a POST, never by opening the link."""

import re

import pytest
from django.core import mail, signing
from django.test import Client

from springboard.families.mail import INVITE_SALT
from springboard.families.models import LoginFailure
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "cartwheels-on-tuesday-8"


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def user(family):
    return family.guardians.get().user


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def is_logged_in(browser) -> bool:
    return browser.get("/acme/account/").status_code == 200


def test_an_email_change_tells_the_old_address_and_ends_other_sessions(
    user, django_capture_on_commit_callbacks
):
    phone, laptop = logged_in(user), logged_in(user)
    old_email = user.email
    with django_capture_on_commit_callbacks(execute=True):
        phone.post("/acme/account/email/", {"new_email": "new@example.com", "password": PASSWORD})
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = phone.post("/acme/account/email/confirm/", {"code": code})
    assert response["Location"] == "/acme/account/"
    (notice,) = [m for m in mail.outbox if m.to == [old_email]]
    assert "new@example.com" in notice.body
    assert is_logged_in(phone)
    assert not is_logged_in(laptop)


def test_a_family_changes_its_password_and_its_other_sessions_end(
    user, family, django_capture_on_commit_callbacks
):
    phone, laptop = logged_in(user), logged_in(user)
    page = phone.get("/acme/account/")
    assert b'href="/acme/account/password/"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = phone.post(
            "/acme/account/password/", {"current_password": PASSWORD, "password": NEW_PASSWORD}
        )
    (notice,) = mail.outbox
    assert notice.to == [user.email] and "password of your login was changed" in notice.body
    assert response["Location"] == "/acme/account/?password=changed"
    assert b"other devices were logged out" in phone.get(response["Location"]).content
    assert not is_logged_in(laptop)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    login = fresh.post("/acme/login/", {"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_a_wrong_current_password_changes_nothing_and_counts_like_a_wrong_login(user):
    phone = logged_in(user)
    response = phone.post(
        "/acme/account/password/", {"current_password": "not-my-password", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert b"That password is not right" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert LoginFailure.objects.filter(email=user.email).count() == 1
    for _ in range(9):
        phone.post(
            "/acme/account/password/", {"current_password": "guess", "password": NEW_PASSWORD}
        )
    response = phone.post(
        "/acme/account/password/", {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert b"Too many wrong passwords" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_beside_the_field(user):
    response = logged_in(user).post(
        "/acme/account/password/", {"current_password": PASSWORD, "password": "12345"}
    )
    assert b'id="id_password_error"' in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_opening_an_invitation_while_logged_in_links_nothing_until_confirmed(org, family):
    guardian = family_factories.guardian(family, first_name="Luis", email="luis@example.com")
    luis = family_factories.login("luis@example.com")
    token = signing.dumps({"g": guardian.pk, "e": guardian.email}, salt=INVITE_SALT)
    url = f"/acme/account/join/?token={token}"
    browser = logged_in(luis)
    page = browser.get(url)
    assert page.status_code == 200
    assert b'data-testid="join-confirm"' in page.content
    guardian.refresh_from_db()
    assert guardian.user is None  # a prefetch or a glance links nothing
    assert browser.post(url)["Location"] == "/acme/dashboard/"
    guardian.refresh_from_db()
    assert guardian.user == luis

"""Logins that do not starve booking (issue 17, item 2): Argon2id at OWASP's cost, older
hashes upgraded at the next login, a bound on concurrent hashing per worker that answers a
polite 503 with Retry-After instead of a long queue, and "keep me logged in" for two weeks."""

import threading

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.utils.crypto import get_random_string

from config import settings as production
from springboard.families import hashers
from springboard.families.models import LoginFailure, User
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/acme/login/"


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the real ones (tests use MD5)
    settings.PASSWORD_HASHING_CONCURRENCY = 1
    settings.PASSWORD_HASHING_WAIT_SECONDS = 0.05


def _parameters(encoded: str):
    return hashers.OwaspArgon2PasswordHasher().decode(encoded)


def test_production_hashes_with_argon2id_at_owasps_cost(argon2):
    user = User.objects.create_user(email="ana@example.com", password=PASSWORD)
    found = _parameters(user.password)
    assert user.password.startswith("argon2$argon2id$")
    assert (found["memory_cost"], found["time_cost"], found["parallelism"]) == (19456, 2, 1)
    assert user.check_password(PASSWORD) and not user.check_password("wrong-password-1")


@pytest.mark.parametrize("old_hasher", [Argon2PasswordHasher, PBKDF2PasswordHasher])
def test_an_older_hash_is_upgraded_at_the_next_login(argon2, client, org, old_hasher):
    family = family_factories.family(org)
    user = family.guardians.get().user
    user.password = old_hasher().encode(PASSWORD, get_random_string(16))
    user.save(update_fields=["password"])

    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302  # logged in with the old hash
    user.refresh_from_db()
    found = _parameters(user.password)
    assert (found["memory_cost"], found["time_cost"], found["parallelism"]) == (19456, 2, 1)
    client.logout()
    assert client.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 302


def test_a_login_that_cannot_get_a_hashing_slot_soon_is_a_polite_503(argon2, client, org):
    family = family_factories.family(org)
    user = family.guardians.get().user
    user.set_password(PASSWORD)
    user.save()
    busy, release = threading.Event(), threading.Event()

    def another_login_hashing():  # holds this worker's only slot
        with hashers.hashing_slot():
            busy.set()
            release.wait(10)

    other = threading.Thread(target=another_login_hashing)
    other.start()
    busy.wait(10)
    try:
        response = client.post(LOGIN, {"email": user.email, "password": PASSWORD})
    finally:
        release.set()
        other.join()

    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    page = response.content.decode()
    assert "Many families are logging in right now" in page and 'role="alert"' in page
    assert "_auth_user_id" not in client.session  # nothing was done
    assert not LoginFailure.objects.exists()  # and it is not counted as a wrong password
    # A moment later the slot is free and the same login works.
    assert client.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 302


def test_keep_me_logged_in_keeps_the_session_two_weeks_else_until_the_browser_closes(client, org):
    family = family_factories.family(org)
    form = client.get(LOGIN + "?current=yes").content.decode()
    assert 'name="keep_logged_in"' in form and "Keep me logged in for two weeks" in form

    client.post(LOGIN, {"email": family.email, "password": PASSWORD, "keep_logged_in": "on"})
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == 14 * 24 * 3600
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    client.logout()

    client.post(LOGIN, {"email": family.email, "password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
    assert not client.cookies["sessionid"]["max-age"]

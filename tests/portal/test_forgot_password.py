"""Forgot Password by an emailed 6-digit code."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from springboard.families.models import EmailCode
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "backstroke-2027-ok"
CSRF_OR_NONCE = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def ask_for_code(email: str, on=client):
        with django_capture_on_commit_callbacks(execute=True):
            return on.post("/acme/password/forgot/", {"email": email})

    return ask_for_code


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def reset(client, code: str, password: str = NEW_PASSWORD):
    return client.post("/acme/password/reset/", {"code": code, "password": password})


def test_a_code_resets_the_password_and_logs_in(client, family, ask):
    response = ask(family.email)
    assert response["Location"] == "/acme/password/reset/"
    assert mail.outbox[-1].to == [family.email]
    assert mail.outbox[-1].alternatives
    response = reset(client, last_code())
    assert response["Location"] == "/acme/dashboard/?reset=1"
    assert b"Welcome back, The Rivera Family" in client.get("/acme/dashboard/").content
    user = family.guardians.get().user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    # The old password no longer logs in.
    other = Client()
    response = other.post("/acme/login/", {"email": family.email, "password": PASSWORD})
    assert b"do not match a login" in response.content


def test_unknown_emails_get_the_same_status_and_html(client, family, ask):
    known = ask(family.email)
    known_page = client.get("/acme/password/reset/").content.replace(family.email.encode(), b"E")
    stranger = Client()
    unknown = ask("nobody@example.com", on=stranger)
    unknown_page = stranger.get("/acme/password/reset/").content.replace(
        b"nobody@example.com", b"E"
    )
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert CSRF_OR_NONCE.sub(b"", known_page) == CSRF_OR_NONCE.sub(b"", unknown_page)
    # Both went through the same code path (a code row each); only the login was emailed.
    assert EmailCode.objects.filter(email="nobody@example.com").count() == 1
    assert [m.to for m in mail.outbox] == [[family.email]]
    wrong_known = reset(client, "123456").content
    wrong_unknown = reset(stranger, "123456").content
    assert CSRF_OR_NONCE.sub(b"", wrong_known.replace(family.email.encode(), b"E")) == (
        CSRF_OR_NONCE.sub(b"", wrong_unknown.replace(b"nobody@example.com", b"E"))
    )


def test_a_code_expires_after_ten_minutes(client, family, ask):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ask(family.email)
        code = last_code()
        traveller.shift(timedelta(minutes=10, seconds=1))
        response = reset(client, code)
    assert response.status_code == 200
    assert b"wrong or has expired" in response.content
    assert b'id="id_code_error"' in response.content


def test_a_code_works_once(client, family, ask):
    ask(family.email)
    code = last_code()
    assert reset(client, code).status_code == 302
    client.logout()
    client.post("/acme/password/forgot/", {"email": family.email})  # back to the reset page
    mail.outbox.clear()
    response = reset(client, code, "another-new-pass-99")
    assert b"wrong or has expired" in response.content


def test_a_code_dies_after_five_wrong_tries(client, family, ask):
    ask(family.email)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert b"wrong or has expired" in reset(client, wrong).content
    response = reset(client, code)
    assert response.status_code == 200
    assert b"wrong or has expired" in response.content


def test_at_most_three_codes_per_email_per_hour(client, family, ask):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            assert ask(family.email).status_code == 302
        assert len(mail.outbox) == 3
        traveller.shift(timedelta(minutes=61))
        ask(family.email)
        assert len(mail.outbox) == 4


def test_only_the_latest_code_works(client, family, ask):
    ask(family.email)
    first = last_code()
    ask(family.email)
    second = last_code()
    if first != second:
        assert b"wrong or has expired" in reset(client, first).content
    assert reset(client, second).status_code == 302


def test_a_reset_ends_the_logins_other_sessions(client, family, ask):
    elsewhere = Client()
    elsewhere.post("/acme/login/", {"email": family.email, "password": PASSWORD})
    assert elsewhere.get("/acme/dashboard/").context["family"] == family
    ask(family.email)
    reset(client, last_code())
    assert elsewhere.get("/acme/dashboard/").context["family"] is None
    assert client.get("/acme/dashboard/").context["family"] == family


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "١٢٣٤٥٦"])
def test_a_malformed_code_is_an_error_beside_the_field(client, family, ask, code):
    ask(family.email)
    response = reset(client, code)
    assert response.status_code == 200
    assert b'id="id_code_error"' in response.content


def test_a_weak_new_password_is_refused(client, family, ask):
    ask(family.email)
    response = reset(client, last_code(), "short")
    assert b'id="id_password_error"' in response.content
    user = family.guardians.get().user
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

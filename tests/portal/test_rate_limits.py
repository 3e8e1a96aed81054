"""Behind the reverse proxy every family has its own address, and the requests that send
email or cost work have per-address and per-email limits (docs/accounts.md)."""

import pytest
from django.core import mail
from django.test import Client

from springboard.families.models import EmailCode, Guardian, User
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ANA = "198.51.100.7"
BEA = "203.0.113.20"


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def via_proxy(client, method, url, data=None, *, ip):
    call = getattr(client, method)
    return call(url, data or {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip)


def test_fifty_wrong_passwords_from_one_family_behind_the_proxy_lock_out_no_one_else(org):
    mallory = Client()
    for n in range(50):
        via_proxy(
            mallory,
            "post",
            "/acme/login/",
            {"email": f"x{n}@example.com", "password": "no"},
            ip=ANA,
        )
    family = family_factories.family(org)
    data = {"email": family.email, "password": PASSWORD}
    assert via_proxy(Client(), "post", "/acme/login/", data, ip=ANA).status_code == 429
    assert via_proxy(Client(), "post", "/acme/login/", data, ip=BEA).status_code == 302


def sign_up(client, email, *, ip, capture):
    data = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "email": email,
        "mobile_phone": "(217) 555-0147",
        "password": "swimming-lessons-42",
        "address_line1": "12 Elm Street",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
    }
    with capture(execute=True):
        return via_proxy(client, "post", "/acme/register/", data, ip=ip)


def test_sign_up_is_limited_per_email_with_a_clear_page_that_changes_nothing(
    client, org, django_capture_on_commit_callbacks
):
    for _ in range(5):
        assert (
            sign_up(
                client, "ana@example.com", ip=ANA, capture=django_capture_on_commit_callbacks
            ).status_code
            == 302
        )
    codes, sent = EmailCode.objects.count(), len(mail.outbox)
    response = sign_up(
        client, "Ana@Example.com", ip=BEA, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 429
    assert b"too many of these requests" in response.content
    assert b"Acme Gymnastics" in response.content  # the portal's look
    assert (EmailCode.objects.count(), len(mail.outbox)) == (codes, sent)
    # Another email is not held back.
    assert (
        sign_up(
            client, "bea@example.com", ip=BEA, capture=django_capture_on_commit_callbacks
        ).status_code
        == 302
    )


def test_sign_up_is_limited_per_address_and_each_family_behind_the_proxy_has_its_own(
    client, org, django_capture_on_commit_callbacks
):
    for n in range(20):
        response = sign_up(
            client, f"guest{n}@example.com", ip=ANA, capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 302
    users = User.objects.count()
    response = sign_up(
        client, "one-more@example.com", ip=ANA, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 429
    assert User.objects.count() == users
    response = sign_up(
        client, "bea@example.com", ip=BEA, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302


def test_code_requests_for_a_password_reset_are_limited_per_email(
    org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org)
    for n in range(5):
        browser = Client()
        ip = f"198.51.100.{n + 10}"
        response = via_proxy(
            browser, "post", "/acme/password/forgot/", {"email": family.email}, ip=ip
        )
        assert response.status_code == 302
    codes = EmailCode.objects.count()
    response = via_proxy(
        Client(), "post", "/acme/password/forgot/", {"email": family.email}, ip=BEA
    )
    assert response.status_code == 429
    assert EmailCode.objects.count() == codes
    # An unknown email is limited just the same (nothing tells the two apart).
    for _ in range(5):
        via_proxy(
            Client(), "post", "/acme/password/forgot/", {"email": "nobody@example.com"}, ip=BEA
        )
    response = via_proxy(
        Client(), "post", "/acme/password/forgot/", {"email": "nobody@example.com"}, ip=ANA
    )
    assert response.status_code == 429


def test_resending_a_sign_up_code_is_limited(client, org, django_capture_on_commit_callbacks):
    sign_up(client, "ana@example.com", ip=ANA, capture=django_capture_on_commit_callbacks)
    for _ in range(5):
        assert (
            via_proxy(client, "post", "/acme/register/confirm/resend/", ip=ANA).status_code == 302
        )
    assert via_proxy(client, "post", "/acme/register/confirm/resend/", ip=ANA).status_code == 429


def test_email_change_codes_are_limited(org):
    family = family_factories.family(org)
    client = Client()
    client.force_login(family.guardians.get().user)
    data = {"new_email": "new@example.com", "password": PASSWORD}
    for _ in range(5):
        assert via_proxy(client, "post", "/acme/account/email/", data, ip=ANA).status_code == 302
    assert via_proxy(client, "post", "/acme/account/email/", data, ip=ANA).status_code == 429


def test_guardian_invitations_are_limited_per_invited_email(
    org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org)
    client = Client()
    client.force_login(family.guardians.get().user)
    data = {
        "first_name": "Luis",
        "last_name": "Rivera",
        "email": "luis@example.com",
        "invite": "on",
    }
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = via_proxy(client, "post", "/acme/account/guardians/add/", data, ip=ANA)
        assert response.status_code == 302
    guardians, sent = Guardian.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = via_proxy(client, "post", "/acme/account/guardians/add/", data, ip=ANA)
    assert response.status_code == 429
    assert (Guardian.objects.count(), len(mail.outbox)) == (guardians, sent)


def test_the_sandbox_tokeniser_is_limited_per_address(org):
    data = {
        "merchant": org.account_name,
        "kind": "card",
        "number": "4242424242424242",
        "exp_month": "04",
        "exp_year": "31",
        "cvc": "123",
    }
    client = Client()
    for n in range(30):
        response = via_proxy(
            client, "post", "/sandbox/gateway/tokens", {**data, "idempotency_key": f"k{n}"}, ip=ANA
        )
        assert response.status_code == 201
    response = via_proxy(
        client, "post", "/sandbox/gateway/tokens", {**data, "idempotency_key": "k-last"}, ip=ANA
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.json()["errors"]["general"]
    response = via_proxy(
        client, "post", "/sandbox/gateway/tokens", {**data, "idempotency_key": "k-bea"}, ip=BEA
    )
    assert response.status_code == 201

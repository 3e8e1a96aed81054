"""Wrong passwords lock an (email, IP) pair for 15 minutes, and an IP across emails."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from springboard.families.models import LoginFailure
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.20"


def try_login(client, email, password, ip=HOME):
    return client.post("/acme/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_ten_wrong_passwords_lock_the_pair_with_a_message(client, org):
    family = family_factories.family(org)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(10):
            assert try_login(client, family.email, "wrong-password").status_code == 200
        response = try_login(client, family.email, PASSWORD)
        assert response.status_code == 429
        assert b"paused for 15 more minutes" in response.content
        assert b"Forgot Password" in response.content
        # The right password from another IP works at once.
        other = client_class()
        assert try_login(other, family.email, PASSWORD, ip=ELSEWHERE).status_code == 302
        # After 15 minutes the pair may try again.
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert try_login(client, family.email, PASSWORD).status_code == 302


def client_class():
    from django.test import Client

    return Client()


def test_fifty_failures_across_emails_lock_the_ip(client, org):
    family = family_factories.family(org)
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(email=f"guess{n}@example.com", ip_address=HOME, failed_at=now)
        for n in range(50)
    )
    assert try_login(client, family.email, PASSWORD).status_code == 429
    assert try_login(client, family.email, PASSWORD, ip=ELSEWHERE).status_code == 302


def test_a_success_clears_the_pairs_failures(client, org):
    family = family_factories.family(org)
    for _ in range(9):
        try_login(client, family.email, "wrong-password")
    assert try_login(client, family.email, PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(email=family.email).exists()


def test_the_staff_admin_login_is_throttled_too(client, org):
    from tests import factories

    staff = factories.staff_user(org)
    for _ in range(10):
        client.post(
            "/admin/login/", {"username": staff.email, "password": "wrong"}, REMOTE_ADDR=HOME
        )
    response = client.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 200  # the login form again, with an error
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == 10  # a refused try while locked is not counted
    other = client_class()
    response = other.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD}, REMOTE_ADDR=ELSEWHERE
    )
    assert response.status_code == 302

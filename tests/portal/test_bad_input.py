"""Forged ids, out-of-range numbers, NUL bytes and huge fields: a 4xx or a form error."""

import pytest
from django.test import Client

from springboard.families.models import PolicyAgreement, Student, User
from tests import family_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, org):
    family = family_factories.family(org)
    client.force_login(family.guardians.get().user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/acme/account/students/99999999999999999999999/",
        "/acme/account/guardians/0/",
        "/acme/account/emergency-contacts/99999999999999999999/",
        "/acme/policies/99999999999999999999/",
        "/acme/account/join/?token=" + "x" * 5000,
    ],
)
def test_forged_or_huge_ids_are_a_404(logged_in, url):
    assert logged_in.get(url).status_code == 404


def test_a_forged_policy_key_records_nothing(logged_in):
    response = logged_in.post(
        "/acme/policies/", {"p99999999999999999999-s0": "on", "signature": "x"}
    )
    assert response.status_code == 302  # nothing pending: straight on
    assert not PolicyAgreement.objects.exists()


def test_nul_bytes_and_huge_values_are_form_errors(logged_in, org):
    response = logged_in.post(
        "/acme/account/students/add/",
        {"first_name": "\x00", "last_name": "a", "birth_date": "0001-01-01", "gender": "female"},
    )
    assert response.status_code == 200
    assert not Student.objects.exists()
    visitor = Client()
    assert visitor.post("/acme/login/", {"email": "a@b.co\x00", "password": "x"}).status_code == 200
    response = visitor.post("/acme/register/", {"email": "x" * 100_000, "first_name": "\x00"})
    assert response.status_code == 200
    assert User.objects.count() == 1

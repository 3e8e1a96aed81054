"""Forged ids, out-of-range numbers, NUL bytes and huge fields: a 4xx or a form error."""

import pytest
from django.test import Client

from springboard.billing.gateways.sandbox.models import SandboxToken
from springboard.booking.models import CartItem
from springboard.families.models import PolicyAgreement, Student, User
from tests import family_factories
from tests.booking.conftest import clock  # noqa: F401
from tests.catalog import factories as catalog_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, org):
    family = family_factories.family(org)
    client.force_login(family.guardians.get().user)
    client.family = family
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


# --- Numbers: ASCII digits only (springboard/core/parsing.py) -------------------------------
# "²" and "①" pass str.isdigit() but int() refuses them; "٣" is a digit int() accepts; then
# huge, negative, empty and overlong values.
BAD_NUMBERS = ["²", "①", "٣", "9" * 40, "-1", "", "7" * 5000]


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bad_term_in_the_classes_query_shows_the_current_term(client, org, value):
    course = catalog_factories.course(org)
    response = client.get("/acme/booking/classes/", {"term": value})
    assert response.status_code == 200
    assert course.name in response.content.decode()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bad_course_or_student_posted_to_the_cart_is_a_404(logged_in, org, value):
    course = catalog_factories.course(org)
    student = family_factories.student(logged_in.family)
    for data in ({"course": value, "student": student.pk}, {"course": course.pk, "student": value}):
        assert logged_in.post("/acme/cart/add/class/", data).status_code == 404
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("value", ["²", "①", "٣", "9" * 40, "-1", "", "1" * 30])
def test_a_bad_expiry_month_at_the_sandbox_tokeniser_is_a_field_error(client, org, value):
    response = client.post(
        "/sandbox/gateway/tokens",
        {
            "merchant": org.account_name,
            "kind": "card",
            "number": "4242424242424242",
            "exp_month": value,
            "exp_year": "31",
            "cvc": "123",
        },
    )
    assert response.status_code == 400
    assert "expiry" in response.json()["errors"]
    assert not SandboxToken.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "424242424242424²"),
        ("number", "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢"),
        ("cvc", "①②③"),
        ("routing_number", "11000000²"),
        ("account_number", "①②③④⑤"),
    ],
)
def test_unicode_digits_in_card_or_bank_fields_are_a_field_error(client, org, field, value):
    kind = "echeck" if field in ("routing_number", "account_number") else "card"
    data = {
        "merchant": org.account_name,
        "kind": kind,
        "number": "4242424242424242",
        "exp_month": "04",
        "exp_year": "31",
        "cvc": "123",
        "routing_number": "110000000",
        "account_number": "000123456789",
        field: value,
    }
    response = client.post("/sandbox/gateway/tokens", data)
    assert response.status_code == 400, response.content
    assert not SandboxToken.objects.exists()

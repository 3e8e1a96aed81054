"""The sandbox's tokenisation endpoint: numbers go there and only there, and no table or log
line of ours (or the sandbox's) ever holds them."""

import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from springboard.billing import services
from springboard.billing.models import Payment
from tests import family_factories

pytestmark = pytest.mark.django_db
URL = "/sandbox/gateway/tokens"
NUMBER = "4242424242424242"
ACCOUNT = "000123456789"


def test_it_returns_a_token_and_only_what_may_be_shown(client, org):
    response = client.post(
        URL,
        {
            "merchant": org.account_name,
            "kind": "card",
            "number": "4242 4242 4242 4242",
            "exp_month": "04",
            "exp_year": "31",
            "cvc": "123",
            "idempotency_key": "browser-1",
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"token", "kind", "brand", "last4", "exp_month", "exp_year"}
    assert (data["brand"], data["last4"], data["exp_month"], data["exp_year"]) == (
        "Visa",
        "4242",
        4,
        2031,
    )
    again = client.post(
        URL,
        {
            "merchant": org.account_name,
            "kind": "card",
            "number": NUMBER,
            "exp_month": "04",
            "exp_year": "31",
            "cvc": "123",
            "idempotency_key": "browser-1",
        },
    )
    assert again.json()["token"] == data["token"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"merchant": "nobody", "kind": "card"}, "merchant"),
        ({"kind": "bitcoin"}, "kind"),
        ({"kind": "card", "number": "1234567812345678"}, "number"),
        (
            {"kind": "echeck", "routing_number": "123456789", "account_number": "1"},
            "routing_number",
        ),
        ({"kind": "card", "number": "9" * 5000}, "number"),
    ],
)
def test_bad_details_get_a_400_with_field_errors(client, org, data, field):
    data = {"merchant": org.account_name, "exp_month": "1", "exp_year": "40", "cvc": "1"} | data
    response = client.post(URL, data)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_only_post(client):
    assert client.get(URL).status_code == 405


def test_no_card_or_account_number_reaches_any_table_or_log(client, org, caplog, tmp_path):
    family = family_factories.family(org)
    caplog.set_level(logging.DEBUG)
    tokens = []
    for kind, fields in [
        ("card", {"number": NUMBER, "exp_month": "12", "exp_year": "30", "cvc": "321"}),
        ("echeck", {"routing_number": "110000000", "account_number": ACCOUNT}),
        ("card", {"number": "4242 4242 4242 4241", "exp_month": "1", "exp_year": "30"}),
    ]:
        response = client.post(URL, {"merchant": org.account_name, "kind": kind, **fields})
        if response.status_code == 201:
            tokens.append(response.json()["token"])
    for number, token in enumerate(tokens):
        services.record_payment(
            organization=org,
            family=family,
            amount="25.00",
            token=token,
            idempotency_key=f"order-{number}",
            now=timezone.now(),
        )
    assert Payment.objects.filter(status="succeeded").count() == 2
    dump = tmp_path / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    text = dump.read_text()
    assert "4242" in text  # the last four are kept…
    for secret in (NUMBER, "4242 4242 4242 4242", "424242424242424", ACCOUNT):
        assert secret not in text, secret  # …but never the number or the account
        assert secret not in caplog.text


def test_the_try_page_exists_only_in_the_demo_and_tests(client, org, settings):
    assert client.get(f"/sandbox/gateway/try/{org.account_name}").status_code == 200
    assert client.get("/sandbox/gateway/try/nobody").status_code == 404
    settings.DEBUG = settings.TESTING = False
    assert client.get(f"/sandbox/gateway/try/{org.account_name}").status_code == 404

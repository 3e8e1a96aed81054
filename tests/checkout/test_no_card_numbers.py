"""After a checkout through the gateway's endpoint and our pay form, no table, log or email
holds the card number; a number typed into our own fields is refused and never stored."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command

from springboard.billing.models import Payment
from springboard.checkout.models import OrderStatus
from tests.checkout.helpers import cart_with_two_students, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
NUMBER = "4242424242424242"


def test_no_card_number_anywhere_after_a_checkout(
    logged_in, org, family, tmp_path, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    tokenised = logged_in.post(
        "/sandbox/gateway/tokens",
        {
            "merchant": org.account_name,
            "kind": "card",
            "number": "4242 4242 4242 4242",
            "exp_month": "12",
            "exp_year": "99",
            "cvc": "123",
        },
    )
    assert tokenised.status_code == 201
    # A number pasted into one of our fields is refused, and nothing is charged.
    refused = logged_in.post(
        "/acme/cart/checkout/",
        {"order": order.pk, "attempt": 1, "method": "card", "credit": "4242 4242 4242 4242"},
    )
    assert refused.status_code == 400
    assert "looks like a card number" in refused.content.decode()
    assert "4242 4242 4242 4242" not in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        paid = logged_in.post(
            "/acme/cart/checkout/",
            {
                "order": order.pk,
                "attempt": 1,
                "method": "card",
                "payment_token": tokenised.json()["token"],
                "save_method": "1",
            },
        )
    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.get().last4 == "4242"
    dump = tmp_path / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    text = dump.read_text()
    emails = " ".join(m.body + " ".join(str(a[0]) for a in m.alternatives) for m in mail.outbox)
    assert mail.outbox
    for secret in (NUMBER, "4242 4242 4242 4242", "4242-4242-4242-4242"):
        assert secret not in text
        assert secret not in caplog.text
        assert secret not in emails

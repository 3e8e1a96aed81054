"""Money is shown in the organization's currency, formatted for the reader's language
(Babel), in pages, emails and messages alike (docs/billing.md, "Showing money")."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from springboard.core.money import format_money
from springboard.tenancy.models import Organization
from tests.billing import factories as billing
from tests.booking.conftest import clock, family, logged_in  # noqa: F401
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data, start

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("currency", "language", "shown"),
    [
        ("USD", "en", "$1,234.50"),
        ("EUR", "en", "€1,234.50"),
        ("GBP", "en", "£1,234.50"),
        ("EUR", "es", f"1.234,50{NBSP}€"),
        ("USD", "es", "$1,234.50"),  # es_US: a US business's Spanish-speaking families
    ],
)
def test_an_amount_shows_the_organizations_currency_in_the_readers_language(
    currency, language, shown
):
    assert format_money(Decimal("1234.5"), currency=currency, locale=language) == shown
    with translation.override(language):
        assert format_money(Decimal("1234.5"), currency=currency) == shown


def test_a_negative_amount_keeps_its_sign_and_cents_round_half_up():
    assert format_money(Decimal("-5"), currency="USD", locale="en") == "-$5.00"
    assert format_money(Decimal("0.125"), currency="GBP", locale="en") == "£0.13"


def _in(org, currency):
    Organization.objects.filter(pk=org.pk).update(currency=currency)
    org.refresh_from_db()


def test_a_euro_organizations_class_shows_euros_to_english_and_spanish_readers(client, org):
    _in(org, "EUR")
    course = catalog.course(org, name="Tumbling", tuition=Decimal("1234.50"))
    english = client.get(f"/acme/booking/classes/{course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(f"/acme/booking/classes/{course.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "€1,234.50" in english.content.decode()
    assert f"1.234,50{NBSP}€" in spanish.content.decode()
    assert "$" not in english.content.decode().split("Tuition")[1][:200]


def test_a_dollar_organizations_english_reader_sees_dollars(client, org):
    course = catalog.course(org, name="Tumbling", tuition=Decimal("1234.50"))
    page = client.get(f"/acme/booking/classes/{course.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "$1,234.50" in page.content.decode()


def test_a_pound_organizations_balance_and_receipt_show_pounds(
    logged_in,  # noqa: F811
    org,
    family,  # noqa: F811
    clock,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _in(org, "GBP")
    course = catalog.course(org, name="Tumbling", tuition=Decimal("100.00"))
    logged_in.post("/acme/cart/add/class/", {"course": course.pk, "student": [family[1].pk]})
    order = start(logged_in)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    receipt = mail.outbox[-1]
    for body in (receipt.body, receipt.alternatives[0][0]):
        assert "£" in body
        assert "$" not in body
    billing.charge(family[0], "12.50", description="Late fee")
    page = logged_in.get("/acme/account/payments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "£12.50" in page
    spanish = logged_in.get("/acme/account/payments/", HTTP_ACCEPT_LANGUAGE="es")
    assert f"12,50{NBSP}GBP" in spanish.content.decode()  # CLDR's Spanish says GBP

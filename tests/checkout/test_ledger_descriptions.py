"""Ledger text is stored as structured fields and put into words when it is read, in the
reader's language: a charge posted while the family's browser spoke Spanish reads in English
to an English reader (docs/billing.md, "Descriptions")."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from springboard.billing.models import Charge
from springboard.catalog.models import PartyAddOn, TuitionPeriod
from springboard.checkout.models import FeeSchedule, Order, OrderLine
from springboard.checkout.pricing import CourseItem, EventItem, PartyItem, quote
from springboard.tenancy.models import Organization, StaffRole
from tests import factories
from tests.billing import factories as billing
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _checkout_in_spanish(client, org, family, django_capture_on_commit_callbacks):
    course = catalog.course(org, name="Tumbling", tuition=Decimal("100.00"))
    client.post("/acme/cart/add/class/", {"course": course.pk, "student": [family[1].pk]}, **ES)
    response = client.post("/acme/cart/checkout/start/", **ES)
    assert response.status_code == 302
    order = Order.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/cart/checkout/", pay_data(org, order), **ES)
    return Charge.objects.get(family=family[0])


def test_a_charge_posted_in_spanish_reads_in_english_to_an_english_reader(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    charge = _checkout_in_spanish(logged_in, org, family, django_capture_on_commit_callbacks)
    history = logged_in.get("/acme/account/history/", **EN).content.decode()
    assert "January 2027" in history
    assert "enero" not in history
    spanish = logged_in.get("/acme/account/history/", **ES).content.decode()
    assert "enero" in spanish and "January" not in spanish
    with translation.override("en"):
        assert "January 2027" in charge.render_description()
        assert charge.render_computation() == "4 of 4 meetings in January 2027 × $100.00/month"
    with translation.override("es"):
        assert "enero" in charge.render_description()
        assert "× $100.00/mes" in charge.render_computation()  # es_US: a US business


def test_the_order_page_and_statement_read_in_the_readers_language(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    charge = _checkout_in_spanish(logged_in, org, family, django_capture_on_commit_callbacks)
    line = OrderLine.objects.get(charge=charge)
    order_page = logged_in.get(f"/acme/orders/{line.order_id}/", **EN).content.decode()
    assert "January 2027" in order_page and "enero" not in order_page
    statement = logged_in.get("/acme/account/statement/", **EN).content.decode()
    assert "January 2027" in statement and "enero" not in statement
    payments = logged_in.get("/acme/account/payments/", **ES)
    assert payments.status_code == 200


def test_the_stored_plain_text_is_in_the_sites_language_whoever_posted_it(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    charge = _checkout_in_spanish(logged_in, org, family, django_capture_on_commit_callbacks)
    assert "January 2027" in charge.description
    assert charge.description_key == "tuition_month"
    assert charge.description_args["month"] == {"date": "2027-01-04", "format": "F Y"}


def test_staff_read_the_ledger_and_order_lines_in_their_own_language(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    charge = _checkout_in_spanish(logged_in, org, family, django_capture_on_commit_callbacks)
    line = OrderLine.objects.get(charge=charge)
    staff = Client()
    staff.force_login(factories.staff_user(org, StaffRole.STAFF))
    listing = staff.get("/admin/billing/charge/", **EN).content.decode()
    assert "January 2027" in listing and "enero" not in listing
    # The order-line inline is shown to superusers (it has no staff role of its own).
    staff.force_login(factories.user(is_staff=True, is_superuser=True))
    order = staff.get(f"/admin/checkout/order/{line.order_id}/change/", **ES).content.decode()
    assert "enero 2027" in order and "January" not in order


def test_staff_text_and_rows_posted_before_are_shown_as_written(org, family):
    charge = billing.charge(family[0], "10.00", description="Late fee (cheque bounced)")
    for language in ("en", "es"):
        with translation.override(language):
            assert charge.render_description() == "Late fee (cheque bounced)"
    assert charge.description_key == ""


def test_a_key_no_longer_known_falls_back_to_the_stored_text(org, family):
    charge = billing.charge(family[0], "10.00", description="Old words")
    charge.description_key = "no_such_text"
    charge.description_args = {"x": 1}
    assert charge.render_description() == "Old words"


def _read(line, language):
    row = OrderLine(**json.loads(json.dumps(line.ledger_fields())))  # what the columns keep
    with translation.override(language):
        return row.render_description(), row.render_computation()


def test_every_priced_line_reads_in_english_and_spanish_from_its_stored_fields(org, family):
    """Classes (month and term), camp days, a whole event, a party's deposit and balance and
    the registration fee, priced while Spanish was active: what is stored reads in either
    language, in the organization's currency."""
    Organization.objects.filter(pk=org.pk).update(currency="EUR")
    org.refresh_from_db()
    student = family[1]
    FeeSchedule.objects.create(organization=org, amount=Decimal("35.00"))
    month = catalog.course(org, name="Tumbling", tuition=Decimal("100.00"))
    term = catalog.course(
        org, name="Swim", tuition=Decimal("220.00"), tuition_period=TuitionPeriod.TERM
    )
    camp = catalog.event(
        org, days=(date(2027, 3, 15), date(2027, 3, 16)), price_per_day=Decimal("45.00"),
        price_whole_event=Decimal("80.00"), single_days_bookable=True,
    )  # fmt: skip
    package = catalog.party_package(org, deposit=Decimal("50.00"))
    pizza = PartyAddOn.objects.create(package=package, name="Pizza", price=Decimal("20.00"))
    slot = catalog.party_slot(
        org, datetime(2027, 3, 13, 14, tzinfo=catalog.CHICAGO), packages=[package]
    )
    items = [
        CourseItem(month, student),
        CourseItem(term, student),
        EventItem(camp, student, days=tuple(camp.days.all())),
        EventItem(camp, student, whole_event=True),
        PartyItem(package, slot, guests=package.guests_included + 2, add_ons=(pizza,)),
    ]
    now = datetime(2027, 1, 1, 12, tzinfo=catalog.CHICAGO)
    with translation.override("es"):
        lines = quote(items, organization=org, family=family[0], today=now.date(), now=now).lines
    assert len(lines) == 7  # 2 classes, 2 camp lines, deposit and balance, the fee
    english = [_read(line, "en") for line in lines]
    spanish = [_read(line, "es") for line in lines]
    for line, (description, computation) in zip(lines, english, strict=True):
        assert description == line.ledger_fields()["description"]  # plain = site language
        assert "€" in computation and "$" not in computation
    english_text = " ".join(" ".join(pair) for pair in english)
    spanish_text = " ".join(" ".join(pair) for pair in spanish)
    assert "4 of 4 meetings in January 2027 × €100.00/month" in english_text
    assert "100,00\xa0€" in spanish_text and "enero" in spanish_text
    assert "€35.00 per family, every 12 months" in english_text
    assert "Sat 13 Mar 2027" in english_text and "13 mar 2027" in spanish_text.lower()
    assert "Mon 15 Mar, Tue 16 Mar" in english_text

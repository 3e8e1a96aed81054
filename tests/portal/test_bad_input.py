"""Forged ids, out-of-range numbers, NUL bytes and huge fields: a 4xx or a form error."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import resolve, reverse

from springboard.attendance import services as attendance
from springboard.attendance.models import AttendanceRules
from springboard.billing.gateways.sandbox import views as sandbox_views
from springboard.billing.gateways.sandbox.models import SandboxToken
from springboard.billing.payment_methods import save_payment_method
from springboard.booking import services
from springboard.booking.models import (
    CartItem,
    ChangeRequest,
    Enrollment,
    EventRegistration,
    PartyBooking,
    WaitlistEntry,
)
from springboard.catalog.models import PartyAddOn
from springboard.checkout.services import start_checkout
from springboard.families.models import PolicyAgreement, Student, User
from springboard.portal import urls as portal_urls
from tests import factories, family_factories
from tests.billing import factories as billing_factories
from tests.booking.conftest import KID_BIRTH_DATE, NOW, clock  # noqa: F401
from tests.catalog import factories as catalog_factories
from tests.portal import sweep
from tests.shop import factories as shop_factories

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
        "/acme/orders/99999999999999999999/",  # prepared reads bind the id as it comes
        "/acme/booking/classes/99999999999999999999/",
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


# --- The sweep: every form field and query parameter of the portal ----------------------
# Each page is fetched as a family (or a visitor); every form it shows is submitted as a
# browser would, then once per field with each bad value in its place; every query parameter
# the view reads is tried too. Never a 500, and a value the page could not have sent
# in a chosen field (hidden, select, radio, number) changes no row.


@pytest.fixture
def world(org, clock):  # noqa: F811 (the shared fixture)
    settings_ = org.portal_settings
    settings_.staff_page_enabled = settings_.live_enabled = settings_.welcome_enabled = True
    settings_.proshop_enabled = True
    settings_.egift_cards_enabled = True  # its pages (default settings) are swept too
    settings_.live_stream_url = "https://example.com/live"
    settings_.save()
    family = family_factories.family(org)
    student = family_factories.student(family, birth_date=KID_BIRTH_DATE)
    guardian = family_factories.guardian(family)
    contact = family_factories.emergency_contact(family)
    course = catalog_factories.course(org, capacity=4)
    full = catalog_factories.course(org, capacity=0)
    event = catalog_factories.event(
        org, days=[date(2027, 3, 15), date(2027, 3, 16)], price_whole_event=90
    )
    package = catalog_factories.party_package(org, max_guests=12, guests_included=10)
    PartyAddOn.objects.create(package=package, name="Cake", price=5)
    slot = catalog_factories.party_slot(org, NOW + timedelta(days=3), packages=[package])
    news = factories.news_item(org)
    factories.staff_profile(org)
    user = family.guardians.get(is_primary=True).user
    services.add_course(family=family, students=[student], course=course, now=NOW)
    order = start_checkout(family=family, user=user, now=NOW)
    services.add_event(family=family, student=student, event=event, days=[], whole=True, now=NOW)
    billing_factories.charge(family, "40.00", now=NOW)
    billing_factories.credit(family, "10.00", now=NOW)
    method = save_payment_method(
        organization=org, family=family, token=billing_factories.card_token(org)
    )
    entry = WaitlistEntry.objects.create(
        organization=org,
        family=family,
        student=student,
        course=full,
        joined_at=NOW,
        status="offered",
        offered_at=NOW,
        offer_expires_at=NOW + timedelta(hours=24),
    )
    enrollment = Enrollment.objects.create(  # its Drop page (docs/booking.md, "Drops")
        organization=org,
        student=student,
        course=catalog_factories.course(org, capacity=4),
        created_at=NOW,
    )
    change = ChangeRequest.objects.create(  # a transfer in its step (docs/booking.md)
        organization=org,
        family=family,
        student=student,
        enrollment=enrollment,
        kind="transfer",
        to_course=course,
        status="held",
        effective_on=NOW.date(),
        hold_expires_at=NOW + timedelta(minutes=15),
        created_at=NOW,
    )
    registration = EventRegistration.objects.create(  # its Cancel page
        organization=org, student=student, event_day=event.days.first(), created_at=NOW
    )
    party = PartyBooking.objects.create(
        organization=org,
        family=family,
        slot=catalog_factories.party_slot(org, NOW + timedelta(days=9), packages=[package]),
        package=package,
        guest_count=8,
        guest_of_honour_name="Kid",
        created_at=NOW,
    )
    # Its Absences page and My Account → Makeups show their forms (docs/booking.md,
    # "Absences and makeups"): the rules on, one meeting marked absent (a credit).
    AttendanceRules.objects.create(organization=org, absences_online=True, makeups_allowed=True)
    attendance.mark_absent(enrollment, date(2027, 1, 4), family=family, now=NOW)
    ids = {
        "enrollment_id": enrollment.pk,
        "change_id": change.pk,
        "registration_id": registration.pk,
        "booking_id": party.pk,
        "news_id": news.pk,
        "course_id": course.pk,
        "event_id": event.pk,
        "package_id": package.pk,
        "slot_id": slot.pk,
        "token": entry.token,
        "policy_id": family_factories.policy(org).pk,
        "student_id": student.pk,
        "guardian_id": guardian.pk,
        "contact_id": contact.pk,
        "order_id": order.pk,
        "method_id": method.pk,
        "product_id": shop_factories.product(org, stock={"S": 0, "M": 2, "L": 5}).pk,
    }
    family_factories.agree_to_everything(family, user)
    return {"user": user, "ids": ids}


# Pages a visitor sees (logged out); every other portal page is fetched as the family.
VISITOR_PAGES = {
    "login",
    "register",
    "forgot_password",
    "reset_password",
    "confirm_email",
    "resend_code",
}


def _portal_url(name: str, ids: dict) -> str:
    pattern = next(p for p in portal_urls.urlpatterns if p.name == name)
    kwargs = {key: ids[key] for key in pattern.pattern.converters}
    return reverse(f"portal:{name}", kwargs={"account": "acme", **kwargs})


TOKENISER_FORMS = {
    "card": {"number": "4242424242424242", "exp_month": "04", "exp_year": "31", "cvc": "123"},
    "echeck": {"routing_number": "110000000", "account_number": "000123456789"},
}
# Fields where sending nothing picks the obvious choice, by design.
BLANK_MEANS_DEFAULT = {"package"}  # a party slot with one package: that package


def _tries(form, name):
    """(value, must change nothing) for each bad value of one field. Only a field the page
    shows is held to "nothing changes"; a name the view reads but the form lacks (it comes
    from another state of the page) is only sent: without it the submit may well succeed."""
    f = form.fields.get(name)
    for value in BAD_NUMBERS:
        chosen = f is not None and f.kind not in sweep.TYPED | sweep.PRESSED
        legit = chosen and (f.legit(value) or (value == "" and name in BLANK_MEANS_DEFAULT))
        yield value, chosen and name not in sweep.NOT_DATA and not legit


def _sweep_form(client, form, extra_names, failures):
    method = "get" if form.method == "get" else "post"
    names = set(form.fields) | (set(extra_names) - sweep.NOT_DATA)
    for name in sorted(names):
        for value, must_not_change in _tries(form, name):
            data = {**form.baseline(), name: [value]}
            check_rows = must_not_change and method == "post"
            status, tables = sweep.send(client, method, form.action, data, check_rows=check_rows)
            if status >= 500 or tables:
                shown = f"{name}={value[:12]!r}"
                failures.append(f"{method.upper()} {form.action} {shown}: {status} {tables}")


# The sweep in parts, so the two workers of `make test` share it (one test of minutes held
# one worker): the portal's pages by the first part of their path, then the posts no page
# offered a form for, then the sandbox tokeniser.
PAGE_GROUPS = {"account": {"account"}, "booking": {"booking", "cart"}}
PARTS = [*PAGE_GROUPS, "other pages", "posts without a form", "tokeniser"]


def _group(pattern) -> str:
    first = str(pattern.pattern).split("/")[0]
    return next((g for g, firsts in PAGE_GROUPS.items() if first in firsts), "other pages")


def _sweep_pages(client, visitor, ids, group, failures):
    forms_seen: set[tuple] = set()
    for pattern in portal_urls.urlpatterns:
        if _group(pattern) != group:
            continue
        who = visitor if pattern.name in VISITOR_PAGES else client
        url = _portal_url(pattern.name, ids)
        read = sweep.params_read(resolve(url).func)
        for name in sorted(read["GET"]):
            for value in BAD_NUMBERS:
                status, _ = sweep.send(who, "get", url, {name: value}, check_rows=False)
                if status >= 500:
                    failures.append(f"GET {url}?{name}={value[:12]!r}: {status}")
        page = who.get(url)
        assert page.status_code < 500, url
        html = page.content.decode() if page.status_code == 200 else ""
        for form in sweep.forms_of(url, html):
            key = (form.action, form.method, tuple(sorted(form.fields)))
            if key in forms_seen:
                continue
            forms_seen.add(key)
            target_read = sweep.params_read(resolve(form.action.split("?")[0]).func)
            _sweep_form(who, form, target_read[form.method.upper()], failures)


def _posted_to(client, visitor, ids) -> set[str]:
    """The URLs some page of the portal shows a form posting to."""
    posted_to = set()
    for pattern in portal_urls.urlpatterns:
        who = visitor if pattern.name in VISITOR_PAGES else client
        url = _portal_url(pattern.name, ids)
        page = who.get(url)
        html = page.content.decode() if page.status_code == 200 else ""
        for form in sweep.forms_of(url, html):
            if form.method == "post":
                posted_to.add(resolve(form.action.split("?")[0]).url_name)
    return posted_to


def _sweep_posts_without_a_form(client, visitor, ids, failures):
    # A URL that takes posts no page offered a form for (it shows in another state of the
    # world): every name the view reads, alone.
    posted_to = _posted_to(client, visitor, ids)
    for pattern in portal_urls.urlpatterns:
        who = visitor if pattern.name in VISITOR_PAGES else client
        url = _portal_url(pattern.name, ids)
        if (
            pattern.name in posted_to
            or sweep.send(who, "post", url, {}, check_rows=False)[0] == 405
        ):
            continue
        read = sweep.params_read(resolve(url).func)
        _sweep_form(who, sweep.Form(url, "post"), read["POST"], failures)


def _sweep_tokeniser(visitor, failures):
    # The sandbox tokeniser (public: the gateway's fields post to it), a card and an account.
    names = sweep.params_read(sandbox_views.tokens)["POST"] | set(sandbox_views.SECRET_FIELDS)
    for kind, fields in TOKENISER_FORMS.items():
        tokens = sweep.Form("/sandbox/gateway/tokens", "post")
        for name, value in {"merchant": "acme", "kind": kind, **fields}.items():
            tokens.fields[name] = sweep.Field(name, "hidden", [value], [value], required=True)
        _sweep_form(visitor, tokens, names, failures)


@pytest.mark.parametrize("part", PARTS)
def test_no_form_field_or_query_parameter_of_the_portal_gives_a_500_or_changes_rows(
    client, org, world, part
):
    visitor = Client()
    client.force_login(world["user"])
    failures: list[str] = []
    if part == "posts without a form":
        _sweep_posts_without_a_form(client, visitor, world["ids"], failures)
    elif part == "tokeniser":
        _sweep_tokeniser(visitor, failures)
    else:
        _sweep_pages(client, visitor, world["ids"], part, failures)
    assert not failures, "\n".join(failures)

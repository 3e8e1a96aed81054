"""Promo codes on the checkout page: a code takes its percent or amount off what it applies
to, counts as used only when the order is paid, and every reason it cannot be used gives the
one message; tries are rate-limited per family and address."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from springboard.billing.models import Charge, Payment
from springboard.checkout import discounts
from springboard.checkout.models import (
    DiscountValue,
    Order,
    OrderStatus,
    PromoApplies,
    PromoCode,
)
from tests import factories, family_factories
from tests.booking.conftest import KID_BIRTH_DATE, make_family
from tests.catalog import factories as catalog
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
D = Decimal
CANT = "This code can&#x27;t be used."


def promo(org, code="WELCOME10", value="10", **fields):
    return PromoCode.objects.create(organization=org, code=code, value=D(value), **fields)


def apply(client, order, code):
    return client.post("/acme/cart/checkout/promo-code/", {"order": order.pk, "code": code})


def test_a_promo_code_takes_ten_percent_off_and_counts_once_paid(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    code = promo(org)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    assert order.total == D("200.00")
    response = apply(logged_in, order, "  welcome10 ")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.promo_code == code
    assert order.total == D("180.00") == order.due_now
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert page.count('data-testid="discount-line"') == 2
    assert "Promo code WELCOME10 applied." in page
    assert discounts.uses(code) == 0  # typed, not yet used
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert discounts.uses(code) == 1
    assert Payment.objects.get().amount == D("180.00")
    assert [c.amount for c in Charge.objects.order_by("pk")] == [D("90.00"), D("90.00")]
    assert "Promo code WELCOME10" in mail.outbox[0].body


def test_removing_the_code_prices_the_order_again(logged_in, org, family):
    promo(org)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    apply(logged_in, order, "WELCOME10")
    logged_in.post("/acme/cart/checkout/promo-code/", {"order": order.pk, "remove": "1"})
    order.refresh_from_db()
    assert order.promo_code is None and order.total == D("200.00")
    assert not order.lines.filter(kind="discount").exists()


def _refused(client, order, code, message=CANT):
    before = list(order.lines.values_list("amount", flat=True))
    response = apply(client, order, code)
    assert response.status_code == 400, response
    assert message in response.content.decode()
    order.refresh_from_db()
    assert order.promo_code is None
    assert list(order.lines.values_list("amount", flat=True)) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"is_active": False},
        {"valid_until": date(2026, 11, 30)},  # the clock is 1 Dec 2026
        {"valid_from": date(2026, 12, 2)},
    ],
    ids=["inactive", "expired", "not-yet-valid"],
)
def test_codes_that_cannot_be_used_all_say_the_same(logged_in, org, family, fields):
    promo(org, **fields)
    cart_with_two_students(logged_in, org, family)
    _refused(logged_in, start(logged_in), "WELCOME10")


def test_unknown_and_other_organizations_codes_say_the_same(logged_in, org, other_org, family):
    promo(other_org, code="RIVAL20")
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    _refused(logged_in, order, "RIVAL20")
    _refused(logged_in, order, "NOSUCHCODE")
    _refused(logged_in, order, "x" * 5000)
    _refused(logged_in, order, "", message="Enter a promo code.")


def _confirmed_order_of(org, code, last_name):
    fam, _student = make_family(org, last_name=last_name)
    now = timezone.now()
    return Order.objects.create(
        organization=org,
        family=fam,
        status=OrderStatus.CONFIRMED,
        created_at=now,
        expires_at=now,
        total=D("1.00"),
        due_now=D("1.00"),
        priced_on=now.date(),
        promo_code=code,
    )


def test_a_used_up_code_and_one_the_family_used_say_the_same(logged_in, org, family):
    used_up = promo(org, code="ONCE", max_uses=1)
    _confirmed_order_of(org, used_up, "Other")
    mine = promo(org, code="MINE")
    Order.objects.create(
        organization=org,
        family=family[0],
        status=OrderStatus.CONFIRMED,
        created_at=timezone.now(),
        expires_at=timezone.now(),
        total=D("1.00"),
        due_now=D("1.00"),
        priced_on=date(2026, 12, 1),
        promo_code=mine,
    )
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    _refused(logged_in, order, "ONCE")
    _refused(logged_in, order, "MINE")
    mine.once_per_family = False
    mine.save()
    assert apply(logged_in, order, "MINE").status_code == 302


def test_minimum_order_and_nothing_to_apply_to_are_explained(logged_in, org, family):
    promo(org, code="BIG", minimum_order=D("250.00"))
    promo(org, code="PARTY", applies_to=PromoApplies.PARTIES)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    _refused(logged_in, order, "BIG", message="This code needs an order of at least $250.00.")
    _refused(logged_in, order, "PARTY", message="This code does not apply to anything")


def test_an_amount_off_is_taken_once_per_order_and_never_below_zero(logged_in, org, family):
    promo(org, code="FREE", value="500.00", value_type=DiscountValue.AMOUNT)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    apply(logged_in, order, "FREE")
    order.refresh_from_db()
    assert order.total == D("0.00")
    assert sorted(order.lines.filter(kind="discount").values_list("amount", flat=True)) == [
        D("-100.00"),
        D("-100.00"),
    ]
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, number=None))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert not Charge.objects.exists() and not Payment.objects.exists()


def test_a_code_used_up_before_paying_stops_the_payment(logged_in, org, family):
    code = promo(org, code="LAST", max_uses=1)
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    apply(logged_in, order, "LAST")
    _confirmed_order_of(org, code, "Quicker")  # another family paid with it meanwhile
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response.status_code == 400
    assert "This code can&#x27;t be used. Remove the code to pay without it." in (
        response.content.decode()
    )
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_trying_codes_is_rate_limited_per_family(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    statuses = [apply(logged_in, order, f"GUESS{n}").status_code for n in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    promo(org)
    response = apply(logged_in, order, "WELCOME10")
    assert response.status_code == 429
    assert "Too many promo codes were tried" in response.content.decode()
    order.refresh_from_db()
    assert order.promo_code is None


def test_another_familys_order_is_not_found(logged_in, org, family):
    promo(org)
    other_family, kid = make_family(org, last_name="Other")
    other = Order.objects.create(
        organization=org,
        family=other_family,
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=15),
        total=D("1.00"),
        due_now=D("1.00"),
        priced_on=date(2026, 12, 1),
    )
    assert apply(logged_in, other, "WELCOME10").status_code == 404
    rival = factories.organization("rival")
    factories.location(rival)
    rival_family = family_factories.family(rival, last_name="Rival")
    family_factories.student(rival_family, birth_date=KID_BIRTH_DATE)
    catalog.course(rival)
    rival_order = Order.objects.create(
        organization=rival,
        family=rival_family,
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=15),
        total=D("1.00"),
        due_now=D("1.00"),
        priced_on=date(2026, 12, 1),
    )
    assert apply(logged_in, rival_order, "WELCOME10").status_code == 404

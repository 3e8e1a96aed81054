"""The checkout sequence through its pages: pending order, pay, confirm; declines, retries,
credit, bad input, expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Allocation, Charge, Payment
from springboard.booking.models import CartItem, Enrollment, HoldStatus
from springboard.catalog.availability import course_openings
from springboard.checkout.housekeeping import expire_pending_orders
from springboard.checkout.models import Order, OrderStatus
from tests.billing.factories import DECLINED_CARD, INSUFFICIENT_FUNDS_CARD, VISA, credit
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_checkout_pays_once_and_enrolls_both_students(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    course, students = cart_with_two_students(logged_in, org, family)
    page = logged_in.get("/acme/cart/")
    assert 'data-testid="checkout"' in page.content.decode()
    order = start(logged_in)
    assert order.status == OrderStatus.PENDING
    assert not CartItem.objects.filter(status=HoldStatus.ACTIVE).exists()
    assert (
        course_openings(course, now=timezone.now()).taken == 2
    )  # the pending order keeps both seats
    assert 'data-testid="open-order"' in logged_in.get("/acme/cart/").content.decode()
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert page.count('data-testid="order-line"') == order.lines.count() >= 2
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    assert Payment.objects.count() == 1
    assert Charge.objects.count() == order.lines.count()
    assert balances.balance(family[0]) == order.due_later
    assert course_openings(course, now=timezone.now()).taken == 2
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    for line in order.lines.all():
        assert line.description in receipt.body
        assert line.description in receipt.alternatives[0][0]
    detail = logged_in.get(f"/acme/orders/{order.pk}/")
    assert detail.status_code == 200
    assert "Paid" in detail.content.decode()


def test_the_pay_form_posted_twice_pays_once(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    data = pay_data(org, order)
    with django_capture_on_commit_callbacks(execute=True):
        first = logged_in.post("/acme/cart/checkout/", data)
        second = logged_in.post("/acme/cart/checkout/", data)
    assert first["Location"] == second["Location"] == f"/acme/orders/{order.pk}/"
    assert Payment.objects.count() == 1
    assert Charge.objects.count() == order.lines.count()
    assert Enrollment.objects.count() == 2
    assert Allocation.objects.count() == order.lines.filter(due_date__lte=order.priced_on).count()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("number", [DECLINED_CARD, INSUFFICIENT_FUNDS_CARD])
def test_a_decline_keeps_the_seats_until_the_window_ends(logged_in, org, family, clock, number):
    course, _students = cart_with_two_students(logged_in, org, family, capacity=2)
    order = start(logged_in)
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, number=number))
    assert response.status_code == 402
    assert "declined" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.attempt == 2
    assert not Enrollment.objects.exists()
    assert not Charge.objects.exists()
    assert not Allocation.objects.exists()
    assert course_openings(course, now=timezone.now()).full
    clock.shift(timedelta(minutes=14))
    assert course_openings(course, now=timezone.now()).full
    clock.shift(timedelta(minutes=2))
    assert course_openings(course, now=timezone.now()).taken == 0  # freed on read, before any sweep
    late = logged_in.post("/acme/cart/checkout/", pay_data(org, order, number=VISA))
    assert late.status_code == 302 and late["Location"] == "/acme/cart/"
    assert Payment.objects.filter(status="succeeded").count() == 0
    assert (
        expire_pending_orders(order.expires_at + timedelta(seconds=1)) == "expired 1 pending orders"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED


def test_after_a_decline_another_card_pays(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    logged_in.post("/acme/cart/checkout/", pay_data(org, order, number=DECLINED_CARD))
    order.refresh_from_db()
    stale = logged_in.post("/acme/cart/checkout/", pay_data(org, order, attempt=1))
    assert "already used" in stale.content.decode()
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert Enrollment.objects.count() == 2


def test_credit_pays_all_or_part(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    credit(family[0], "30.00")
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, credit="30.00"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.credit_used == Decimal("30.00")
    assert order.payment.amount == order.due_now - Decimal("30.00")
    assert balances.credit(family[0]) == 0


def test_credit_alone(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    credit(family[0], "9999.00")
    data = pay_data(org, order, number=None, credit=str(order.due_now), method="credit")
    response = logged_in.post("/acme/cart/checkout/", data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.payment is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than zero"),
        ("-5", ""),
        ("1.005", "at most two decimals"),
        ("abc", ""),
        ("40.00", "more than your account credit"),
        ("99999.00", ""),
        ("4242 4242 4242 4242", "looks like a card number"),
    ],
)
def test_bad_credit_amounts_post_nothing(logged_in, org, family, value, message):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    credit(family[0], "30.00")
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, credit=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Charge.objects.exists()
    assert Payment.objects.count() == 1  # the staff credit only
    assert Order.objects.get().status == OrderStatus.PENDING


def test_forged_attempt_and_missing_token_are_refused(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    for data in (
        pay_data(org, order, attempt=7),
        pay_data(org, order, attempt="x"),
        pay_data(org, order, number=None),
    ):
        response = logged_in.post("/acme/cart/checkout/", data)
        assert response.status_code == 400
    assert not Payment.objects.exists()


def test_an_expired_cart_cannot_be_checked_out(logged_in, org, family, clock):
    cart_with_two_students(logged_in, org, family)
    clock.shift(timedelta(hours=3))
    response = logged_in.post("/acme/cart/checkout/start/", follow=True)
    assert "time ran out" in _messages(response)
    assert not Order.objects.exists()
    assert logged_in.get("/acme/cart/checkout/")["Location"] == "/acme/cart/"


def test_required_transaction_policies_must_be_agreed_and_are_recorded(logged_in, org, family):
    from springboard.families.models import PolicyAgreement
    from springboard.families.models.policies import PolicyKind
    from tests import family_factories

    policy = family_factories.policy(org, kind=PolicyKind.TRANSACTION, title="Payment terms")
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    refused = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert "Please agree to: Payment terms" in refused.content.decode()
    assert not Payment.objects.exists()
    before = PolicyAgreement.objects.count()
    ok = logged_in.post("/acme/cart/checkout/", pay_data(org, order, policy=policy.pk))
    assert ok.status_code == 302
    assert PolicyAgreement.objects.count() == before + 1


def test_a_declined_card_is_not_saved(logged_in, org, family):
    from springboard.billing.models import SavedPaymentMethod

    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    data = pay_data(org, order, number=DECLINED_CARD, save_method="1")
    assert logged_in.post("/acme/cart/checkout/", data).status_code == 402
    assert not SavedPaymentMethod.objects.exists()


def test_cancelling_a_pending_order_frees_its_seats(logged_in, org, family):
    course, _students = cart_with_two_students(logged_in, org, family, capacity=2)
    order = start(logged_in)
    assert course_openings(course, now=timezone.now()).full
    response = logged_in.post("/acme/cart/checkout/cancel/", {"order": order.pk}, follow=True)
    assert "cancelled" in _messages(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert course_openings(course, now=timezone.now()).taken == 0
    again = logged_in.post("/acme/cart/checkout/cancel/", {"order": order.pk}, follow=True)
    assert "can no longer be cancelled" in _messages(again)
    late = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert late["Location"] == "/acme/cart/"
    assert not Payment.objects.exists()


def test_credit_spent_meanwhile_posts_nothing_and_keeps_the_card_payment_as_credit(
    logged_in, org, family, monkeypatch
):
    from springboard.checkout import services

    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    credit(family[0], "30.00")
    # Another tab spends the credit between the check and the confirmation.
    monkeypatch.setattr(services.balances, "credit", lambda fam: Decimal("30.00"))
    from tests.billing.factories import charge as post_charge

    other = post_charge(family[0], "30.00")
    from springboard.billing import services as ledger

    ledger.apply_credit(
        organization=org, family=family[0], charge=other, amount="30.00", now=order.created_at
    )
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, credit="30.00"))
    assert response.status_code == 400
    assert "kept as credit" in response.content.decode()
    assert not Enrollment.objects.exists()
    assert not Charge.objects.exclude(pk=other.pk).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.attempt == 2  # a new key next time
    paid = Payment.objects.get(idempotency_key=order.idempotency_key(1))
    assert balances.payment_unallocated_amount(paid) == paid.amount

"""3-D Secure asked for during a payment (the family at checkout or on the Payments page):
nothing is recorded until the bank has answered; the page gets the PaymentIntent's client
secret, Stripe.js runs the bank's check (here: the call localstripe's Stripe.js stand-in
makes when "Complete"/"Fail authentication" is pressed), the same form comes back with the
same key, and our server records Stripe's answer once: paid (order confirmed once, one
charge at Stripe) or a clear "not confirmed" with nothing confirmed."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.utils import timezone

from springboard.billing import balances, services
from springboard.billing.errors import AuthenticationRequired, PaymentDeclined
from springboard.billing.models import Payment, PaymentStatus
from springboard.booking.models import Enrollment
from springboard.checkout.models import OrderStatus
from springboard.portal.views.payments import NONCES_KEY
from tests.billing import factories as billing
from tests.checkout.helpers import cart_with_two_students, start
from tests.stripe_server import NEEDS_AUTHENTICATION, VISA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
SECRET = re.compile(r'data-client-secret="([^"]+)"')


def _secret(response) -> str:
    found = SECRET.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return unescape(found[1])


def test_the_family_authenticates_and_the_payment_is_recorded_once(
    stripe_org, family, stripe_settings
):
    fam, _student = family
    token = stripe_settings.card(NEEDS_AUTHENTICATION)
    pay = {
        "organization": stripe_org,
        "family": fam,
        "amount": Decimal("42.00"),
        "token": token,
        "idempotency_key": "pay-3ds-1",
        "now": timezone.now(),
        "on_session": True,
    }
    with pytest.raises(AuthenticationRequired) as asked:
        services.record_payment(**pay)
    assert "_secret_" in asked.value.client_secret
    assert not Payment.objects.exists()  # nothing taken yet, nothing recorded
    stripe_settings.authenticate(asked.value.client_secret)

    payment = services.record_payment(**pay)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount == Decimal("42.00")
    assert services.record_payment(**pay).pk == payment.pk
    (intent,) = stripe_settings.intents_for("payment:pay-3ds-1")
    assert (intent.id, intent.status, intent.amount) == (
        payment.gateway_reference,
        "succeeded",
        4200,
    )
    assert balances.credit(fam) == Decimal("42.00")


def test_a_failed_authentication_is_a_clear_decline_and_takes_nothing(
    stripe_org, family, stripe_settings
):
    fam, _student = family
    pay = {
        "organization": stripe_org,
        "family": fam,
        "amount": Decimal("10.00"),
        "token": stripe_settings.card(NEEDS_AUTHENTICATION),
        "idempotency_key": "pay-3ds-2",
        "now": timezone.now(),
        "on_session": True,
    }
    with pytest.raises(AuthenticationRequired) as asked:
        services.record_payment(**pay)
    stripe_settings.authenticate(asked.value.client_secret, success=False)
    with pytest.raises(PaymentDeclined) as declined:
        services.record_payment(**pay)
    assert "bank could not confirm this payment" in declined.value.message
    assert Payment.objects.get().status == PaymentStatus.DECLINED
    assert balances.credit(fam) == 0
    (intent,) = stripe_settings.intents_for("payment:pay-3ds-2")
    assert intent.status != "succeeded"


def test_a_card_charged_without_the_family_is_never_left_waiting(
    stripe_org, family, stripe_settings
):
    """Autopay (off-session): nobody can authenticate, so the bank's request is a decline."""
    fam, _student = family
    with pytest.raises(PaymentDeclined) as raised:
        services.record_payment(
            organization=stripe_org,
            family=fam,
            amount=Decimal("10.00"),
            token=stripe_settings.card(NEEDS_AUTHENTICATION),
            idempotency_key="autopay-3ds",
            now=timezone.now(),
        )
    assert "confirm this payment" in raised.value.message
    (intent,) = stripe_settings.intents_for("payment:autopay-3ds")
    assert intent.status == "canceled"


def _checkout_data(order, token) -> dict:
    return {"order": order.pk, "attempt": order.attempt, "method": "card", "payment_token": token}


def test_checkout_completes_after_the_bank_check_and_confirms_the_order_once(
    logged_in, stripe_org, family, stripe_settings, django_capture_on_commit_callbacks
):
    course, _students = cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = _checkout_data(order, stripe_settings.card(NEEDS_AUTHENTICATION))
    asked = logged_in.post("/acme/cart/checkout/", data)
    assert asked.status_code == 402
    html = asked.content.decode()
    assert "Confirm the payment with your bank" in html and "data-stripe-next-action" in html
    assert f'name="attempt" value="{order.attempt}"' in html  # the same form comes back
    assert stripe_settings.api_base in asked.headers["Content-Security-Policy"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.attempt == data["attempt"]
    assert not Payment.objects.exists() and not Enrollment.objects.exists()

    stripe_settings.authenticate(_secret(asked))
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", data)
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    # The same form once more (a double click, a slow page): the same order, nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        again = logged_in.post("/acme/cart/checkout/", data)
    assert again["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    payment = Payment.objects.get()
    assert payment.succeeded and payment.amount == order.due_now
    assert [i.id for i in stripe_settings.intents_for("payment:" + order.idempotency_key())] == [
        payment.gateway_reference
    ]
    assert len(mail.outbox) == 1


def test_a_failed_bank_check_at_checkout_confirms_nothing_and_says_why(
    logged_in, stripe_org, family, stripe_settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = _checkout_data(order, stripe_settings.card(NEEDS_AUTHENTICATION))
    asked = logged_in.post("/acme/cart/checkout/", data)
    stripe_settings.authenticate(_secret(asked), success=False)
    response = logged_in.post("/acme/cart/checkout/", data)
    assert response.status_code == 402
    assert "bank could not confirm this payment" in unescape(response.content.decode())
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.attempt == data["attempt"] + 1
    assert not Enrollment.objects.exists()
    assert balances.credit(family[0]) == 0
    # The next try (a new attempt) with another card pays.
    retry = _checkout_data(order, stripe_settings.card(VISA))
    assert logged_in.post("/acme/cart/checkout/", retry).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED).count() == 1


def test_the_window_ending_during_the_bank_check_still_confirms_when_places_are_free(
    logged_in, stripe_org, family, stripe_settings, clock
):
    """The late-payment rule of checkout holds: the money was on its way when the window
    ended, so the returning form is answered, and confirm judges the places."""
    course, _students = cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = _checkout_data(order, stripe_settings.card(NEEDS_AUTHENTICATION))
    asked = logged_in.post("/acme/cart/checkout/", data)
    stripe_settings.authenticate(_secret(asked))
    clock.move_to(order.expires_at + timedelta(minutes=2))
    response = logged_in.post("/acme/cart/checkout/", data)
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=course, status="active").count() == 2


def test_coming_back_with_another_card_cancels_the_payment_left_waiting(
    logged_in, stripe_org, family, stripe_settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    first = _checkout_data(order, stripe_settings.card(NEEDS_AUTHENTICATION))
    logged_in.post("/acme/cart/checkout/", first)  # the family closed the bank's window
    other = _checkout_data(order, stripe_settings.card(VISA))
    response = logged_in.post("/acme/cart/checkout/", other)
    assert response.status_code == 402
    assert "not confirmed with your bank" in unescape(response.content.decode())
    (waiting,) = stripe_settings.intents_for("payment:" + order.idempotency_key(first["attempt"]))
    assert waiting.status == "canceled"  # it can never be taken now
    order.refresh_from_db()
    assert (
        logged_in.post("/acme/cart/checkout/", _checkout_data(order, other["payment_token"]))[
            "Location"
        ]
        == f"/acme/orders/{order.pk}/"
    )
    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED).count() == 1


def test_the_payments_page_completes_after_the_bank_check(
    logged_in, stripe_org, family, stripe_settings
):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    logged_in.get("/acme/account/payments/?with=card")
    nonce = logged_in.session[NONCES_KEY][-1]
    data = {
        "nonce": nonce,
        "charge": [charge.pk],
        "payment_token": stripe_settings.card(NEEDS_AUTHENTICATION),
    }
    asked = logged_in.post("/acme/account/payments/pay/", data)
    assert asked.status_code == 402
    assert f'name="charge" value="{charge.pk}"' in asked.content.decode()
    assert not Payment.objects.exists() and balances.balance(fam) == Decimal("40.00")
    stripe_settings.authenticate(_secret(asked))
    response = logged_in.post("/acme/account/payments/pay/", data)
    assert response.status_code == 302
    assert logged_in.post("/acme/account/payments/pay/", data).status_code == 302
    assert balances.balance(fam) == 0
    payment = Payment.objects.get()
    assert payment.succeeded and payment.amount == Decimal("40.00")


def test_a_failed_bank_check_on_the_payments_page_leaves_the_charge_owed(
    logged_in, stripe_org, family, stripe_settings
):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    logged_in.get("/acme/account/payments/?with=card")
    data = {
        "nonce": logged_in.session[NONCES_KEY][-1],
        "charge": [charge.pk],
        "payment_token": stripe_settings.card(NEEDS_AUTHENTICATION),
    }
    stripe_settings.authenticate(
        _secret(logged_in.post("/acme/account/payments/pay/", data)), success=False
    )
    response = logged_in.post("/acme/account/payments/pay/", data)
    assert response.status_code == 400
    assert "bank could not confirm this payment" in unescape(response.content.decode())
    assert balances.balance(fam) == Decimal("40.00") and balances.credit(fam) == 0


def test_a_saved_card_used_at_the_page_may_be_authenticated_by_the_family(
    logged_in, stripe_org, family, stripe_settings
):
    """A saved card is charged off-session only by autopay: at the Payments page the family
    is there, so its bank may ask, and the family answers."""
    from springboard.billing.payment_methods import save_payment_method

    fam, _student = family
    saved = save_payment_method(
        organization=stripe_org, family=fam, token=stripe_settings.card(NEEDS_AUTHENTICATION)
    )
    charge = billing.charge(fam, "25.00")
    logged_in.get("/acme/account/payments/")
    data = {
        "nonce": logged_in.session[NONCES_KEY][-1],
        "charge": [charge.pk],
        "saved_method": saved.pk,
    }
    asked = logged_in.post("/acme/account/payments/pay/", data)
    assert asked.status_code == 402
    stripe_settings.authenticate(_secret(asked))
    assert logged_in.post("/acme/account/payments/pay/", data).status_code == 302
    assert balances.balance(fam) == 0


def test_stripe_not_answering_on_the_payments_page_says_so_and_records_nothing(
    logged_in, stripe_org, family, stripe_settings, settings
):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    token = stripe_settings.card(VISA)
    logged_in.get("/acme/account/payments/?with=card")
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the processor is down
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {"nonce": logged_in.session[NONCES_KEY][-1], "charge": [charge.pk], "payment_token": token},
    )
    assert response.status_code == 400
    assert "could not be reached" in unescape(response.content.decode())
    assert not Payment.objects.exists() and balances.balance(fam) == Decimal("40.00")


def test_stripe_not_answering_when_the_form_comes_back_loses_nothing(
    logged_in, stripe_org, family, stripe_settings, settings
):
    """The bank said yes, then Stripe does not answer our question: the family is told the
    payment may have gone through (not "nothing was charged"), nothing is confirmed twice,
    and the same form later records it once."""
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = _checkout_data(order, stripe_settings.card(NEEDS_AUTHENTICATION))
    stripe_settings.authenticate(_secret(logged_in.post("/acme/cart/checkout/", data)))
    api_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = logged_in.post("/acme/cart/checkout/", data)
    assert 400 <= response.status_code < 500
    assert "If your bank confirmed it" in unescape(response.content.decode())
    assert not Payment.objects.exists() and not Enrollment.objects.exists()
    settings.STRIPE_API_BASE = api_base
    assert logged_in.post("/acme/cart/checkout/", data)["Location"] == f"/acme/orders/{order.pk}/"
    assert Payment.objects.count() == 1

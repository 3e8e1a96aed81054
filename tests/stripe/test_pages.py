"""The family's payment pages with an organization on Stripe: checkout, Payments and saved
cards take Stripe PaymentMethod ids from Stripe.js's fields (here: the same API call the
stand-in Stripe.js makes), eCheck is switched off, and Stripe's origins are allowed by the
CSP only on those pages and only for organizations on Stripe."""

from decimal import Decimal

import pytest
from django.core import mail

from springboard.billing import balances
from springboard.billing.models import Payment, SavedPaymentMethod
from springboard.booking.models import Enrollment
from springboard.checkout.models import OrderStatus
from springboard.portal.views.payments import NONCES_KEY
from tests.billing import factories as billing
from tests.checkout.helpers import cart_with_two_students, start
from tests.stripe_server import DECLINED, VISA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _csp(response) -> str:
    return response.headers["Content-Security-Policy"]


def test_checkout_pays_through_stripe_and_confirms_the_order(
    logged_in, stripe_org, family, stripe_settings, django_capture_on_commit_callbacks
):
    course, _students = cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    page = logged_in.get("/acme/cart/checkout/")
    html = page.content.decode()
    assert "data-stripe-gateway" in html and "data-sandbox-gateway" not in html
    assert f'data-publishable-key="{stripe_settings.publishable_key}"' in html
    assert "_secret_" in html  # the SetupIntent the card fields confirm
    assert 'value="echeck"' not in html  # ACH is switched off on Stripe
    assert stripe_settings.api_base in _csp(page)
    data = {
        "order": order.pk,
        "attempt": order.attempt,
        "method": "card",
        "payment_token": stripe_settings.card(VISA),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", data)
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    payment = Payment.objects.get()
    assert payment.gateway == "stripe" and payment.amount == order.due_now
    intent = stripe_settings.client().v1.payment_intents.retrieve(payment.gateway_reference)
    assert intent.status == "succeeded"
    assert intent.amount == int(order.due_now * 100)
    assert len(mail.outbox) == 1


def test_a_declined_card_at_checkout_confirms_nothing(
    logged_in, stripe_org, family, stripe_settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    data = {
        "order": order.pk,
        "attempt": order.attempt,
        "method": "card",
        "payment_token": stripe_settings.card(DECLINED),
    }
    response = logged_in.post("/acme/cart/checkout/", data)
    assert response.status_code == 402
    assert "declined" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not Enrollment.objects.exists()
    assert balances.credit(family[0]) == 0


def test_payments_page_pays_charges_through_stripe(logged_in, stripe_org, family, stripe_settings):
    fam, _student = family
    charge = billing.charge(fam, "40.00")
    page = logged_in.get("/acme/account/payments/?with=card")
    assert "data-stripe-gateway" in page.content.decode()
    assert "?with=echeck" not in page.content.decode()
    assert stripe_settings.js_url.split("/js.stripe.com")[0] in _csp(page)
    nonce = logged_in.session[NONCES_KEY][-1]
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {"nonce": nonce, "charge": [charge.pk], "payment_token": stripe_settings.card(VISA)},
    )
    assert response.status_code == 302
    assert balances.balance(fam) == 0
    assert Payment.objects.get().gateway_reference.startswith("pi_")


def test_a_card_saved_on_the_methods_page_pays_later_without_the_family(
    logged_in, stripe_org, family, stripe_settings
):
    fam, _student = family
    response = logged_in.post(
        "/acme/account/payment-methods/",
        {"payment_token": stripe_settings.card(VISA), "autopay": "on"},
    )
    assert response.status_code == 302
    saved = SavedPaymentMethod.objects.get()
    assert (saved.gateway, saved.last4, saved.autopay) == ("stripe", "4242", True)
    charge = billing.charge(fam, "25.00")
    logged_in.get("/acme/account/payments/")
    nonce = logged_in.session[NONCES_KEY][-1]
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {"nonce": nonce, "charge": [charge.pk], "saved_method": saved.pk},
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    intent = stripe_settings.client().v1.payment_intents.retrieve(payment.gateway_reference)
    assert intent.customer and intent.amount == 2500
    assert balances.balance(fam) == Decimal("0.00")


def test_stripe_is_allowed_only_on_payment_pages_of_organizations_on_stripe(
    logged_in, client, stripe_org, other_org, family, stripe_settings
):
    origin = stripe_settings.api_base
    assert origin in _csp(logged_in.get("/acme/account/payment-methods/"))
    assert origin not in _csp(logged_in.get("/acme/"))
    assert origin not in _csp(logged_in.get("/acme/account/history/"))
    assert origin not in _csp(client.get("/rival/"))


def test_stripe_not_answering_at_checkout_says_so_and_confirms_nothing(
    logged_in, stripe_org, family, stripe_settings, settings
):
    cart_with_two_students(logged_in, stripe_org, family)
    order = start(logged_in)
    token = stripe_settings.card(VISA)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the processor is down
    page = logged_in.get("/acme/cart/checkout/")
    assert page.status_code == 200
    assert "Card payments are unavailable right now" in page.content.decode()
    data = {"order": order.pk, "attempt": order.attempt, "method": "card", "payment_token": token}
    response = logged_in.post("/acme/cart/checkout/", data)
    assert 400 <= response.status_code < 500
    assert "could not be reached. Nothing was charged" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.attempt == data["attempt"]
    assert not Payment.objects.exists() and not Enrollment.objects.exists()

"""My Account → Payments, Payment methods, History and Statement (docs/family-money.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Payment, SavedPaymentMethod
from springboard.billing.payment_methods import save_payment_method
from springboard.portal.views.payments import NONCES_KEY
from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family.guardians.get().user)
    return client


def _nonce(client) -> str:
    return client.session[NONCES_KEY][-1]


def _pay(client, charges, **data):
    client.get("/acme/account/payments/")
    return client.post(
        "/acme/account/payments/pay/",
        {"nonce": _nonce(client), "charge": [c.pk for c in charges], **data},
    )


def test_payments_lists_outstanding_charges_with_due_dates(logged_in, family):
    billing.charge(family, "40.00", description="Swim tuition")
    response = logged_in.get("/acme/account/payments/")
    assert response.status_code == 200
    assert b"Swim tuition" in response.content
    assert b"$40.00" in response.content


def test_pay_all_with_a_new_card_allocates_and_emails_a_receipt(
    logged_in, family, org, django_capture_on_commit_callbacks
):
    one = billing.charge(family, "40.00")
    two = billing.charge(family, "60.50")
    with django_capture_on_commit_callbacks(execute=True):
        response = _pay(logged_in, [one, two], payment_token=billing.card_token(org))
    assert response.status_code == 302
    assert balances.balance(family) == 0
    assert Payment.objects.get(family=family).amount == Decimal("100.50")
    assert len(mail.outbox) == 1
    assert "100.50" in mail.outbox[0].body


def test_pay_with_a_saved_card_and_a_double_submit_pays_once(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    method = save_payment_method(organization=org, family=family, token=billing.card_token(org))
    logged_in.get("/acme/account/payments/")
    data = {"nonce": _nonce(logged_in), "charge": [charge.pk], "saved_method": method.pk}
    first = logged_in.post("/acme/account/payments/pay/", data)
    second = logged_in.post("/acme/account/payments/pay/", data)
    assert first.status_code == second.status_code == 302
    assert Payment.objects.filter(family=family).count() == 1
    assert balances.balance(family) == 0


def test_pay_part_of_the_selected_charges(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    _pay(logged_in, [charge], amount="15.25", payment_token=billing.card_token(org))
    assert balances.balance(family) == Decimal("24.75")


@pytest.mark.parametrize("amount", ["0", "-5", "40.01", "10.005", "abc", "1e5"])
def test_bad_pay_amounts_are_refused(logged_in, family, org, amount):
    charge = billing.charge(family, "40.00")
    response = _pay(logged_in, [charge], amount=amount, payment_token=billing.card_token(org))
    assert response.status_code == 400
    assert not Payment.objects.filter(family=family).exists()


def test_a_declined_card_says_so(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    token = billing.card_token(org, billing.DECLINED_CARD)
    response = _pay(logged_in, [charge], payment_token=token)
    assert response.status_code == 400
    assert b"declined" in response.content
    assert balances.balance(family) == Decimal("40.00")


def test_pay_without_a_form_nonce_is_refused(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    response = logged_in.post(
        "/acme/account/payments/pay/",
        {"nonce": "forged", "charge": [charge.pk], "payment_token": billing.card_token(org)},
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_apply_credit_full_and_partial(logged_in, family):
    billing.credit(family, "50.00")
    one = billing.charge(family, "30.00")
    two = billing.charge(family, "40.00")
    url = "/acme/account/payments/apply-credit/"
    assert logged_in.post(url, {"charge": one.pk, "amount": "30.00"}).status_code == 302
    assert logged_in.post(url, {"charge": two.pk, "amount": "12.50"}).status_code == 302
    assert balances.charge_open_amount(one) == 0
    assert balances.charge_open_amount(two) == Decimal("27.50")
    assert balances.credit(family) == Decimal("7.50")


@pytest.mark.parametrize("amount", ["0", "-1", "", "20.001", "30.01", "25.00"])
def test_apply_credit_never_more_than_credit_or_charge(logged_in, family, amount):
    billing.credit(family, "20.00")
    charge = billing.charge(family, "30.00")
    response = logged_in.post(
        "/acme/account/payments/apply-credit/", {"charge": charge.pk, "amount": amount}
    )
    assert response.status_code == 400
    assert balances.credit(family) == Decimal("20.00")


def test_payment_methods_add_default_autopay_remove(logged_in, family, org):
    response = logged_in.post(
        "/acme/account/payment-methods/", {"payment_token": billing.card_token(org)}
    )
    assert response.status_code == 302
    method = SavedPaymentMethod.objects.get(family=family)
    assert method.is_default and method.last4 == "4242"
    url = f"/acme/account/payment-methods/{method.pk}/"
    logged_in.post(url, {"action": "autopay_on"})
    method.refresh_from_db()
    assert method.autopay
    page = logged_in.get("/acme/account/payment-methods/")
    assert b"4242" in page.content and method.token.encode() not in page.content
    logged_in.post(url, {"action": "remove"})
    assert not SavedPaymentMethod.objects.filter(family=family).exists()


def test_a_forged_token_is_not_saved(logged_in, family):
    response = logged_in.post("/acme/account/payment-methods/", {"payment_token": "tok_fake"})
    assert response.status_code == 200
    assert not SavedPaymentMethod.objects.exists()


def test_history_shows_every_kind_with_a_running_balance(logged_in, family):
    billing.charge(family, "100.00", description="Tuition")
    billing.payment(family, "60.00")
    billing.credit(family, "5.00", reason="Goodwill")
    response = logged_in.get("/acme/account/history/")
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [r.kind for r in rows] == ["payment", "payment", "charge"]
    assert [r.running for r in rows] == [Decimal("35.00"), Decimal("40.00"), Decimal("100.00")]


def test_statement_for_a_range(logged_in, family):
    billing.charge(family, "100.00", now=timezone.now() - timedelta(days=40))
    billing.charge(family, "20.00")
    today = timezone.localdate()
    start = (today - timedelta(days=10)).isoformat()
    response = logged_in.get(f"/acme/account/statement/?start={start}&end={today.isoformat()}")
    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement.opening == Decimal("100.00")
    assert statement.closing == Decimal("120.00")
    assert b"statement-print.css" in response.content


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-05-01&end=2026-04-01",
        "start=2000-01-01&end=2026-01-01",
        "start=nope&end=2026-01-01",
        "start=9999-12-30&end=9999-12-31",
        "start=0001-01-01&end=9999-12-31",
        "start=" + "9" * 5000,
    ],
)
def test_bad_statement_ranges_are_a_message(logged_in, query):
    response = logged_in.get(f"/acme/account/statement/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert b"statement-error" in response.content


def test_a_declined_form_resubmitted_says_declined_and_a_new_form_pays(logged_in, family, org):
    charge = billing.charge(family, "40.00")
    logged_in.get("/acme/account/payments/")
    declined = {
        "nonce": _nonce(logged_in),
        "charge": [charge.pk],
        "payment_token": billing.card_token(org, billing.DECLINED_CARD),
    }
    assert logged_in.post("/acme/account/payments/pay/", declined).status_code == 400
    again = logged_in.post("/acme/account/payments/pay/", declined)
    assert again.status_code == 400 and b"declined" in again.content
    response = _pay(logged_in, [charge], payment_token=billing.card_token(org))
    assert response.status_code == 302
    assert balances.balance(family) == 0

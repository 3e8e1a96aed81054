"""Spending eGift Cards: "Use an eGift card" at checkout (several cards, the rest stays on
the card), "Add to my account credit", the balance page, and a code that does not work."""

from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.models import Payment, PaymentMethodKind
from springboard.checkout.models import OrderStatus
from springboard.giftcards.models import TransactionKind
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data, start
from tests.giftcards.conftest import a_card

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "gift_config")]

WRONG = "That code does not work"


def _class_in_cart(client, org, family, tuition="100.00"):
    course = catalog.course(org, capacity=4, tuition=tuition)
    response = client.post("/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk})
    assert response.status_code == 302
    return course


def _apply(client, order, code):
    return client.post("/acme/cart/checkout/gift-card/", {"order": order.pk, "code": code})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_two_cards_pay_a_class_and_what_is_left_stays_on_the_card(logged_in, org, family):
    now = timezone.now()
    first, first_code = a_card(org, "30.00", now=now)
    second, second_code = a_card(org, "200.00", now=now)
    _class_in_cart(logged_in, org, family)
    order = start(logged_in)
    due = order.due_now
    assert due > Decimal("30.00")
    _apply(logged_in, order, first_code.lower().replace("-", " "))  # typed loosely
    _apply(logged_in, order, second_code)
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert page.count('data-testid="gift-use"') == 2
    # Nothing left to pay by card: the pay form needs no method.
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, number=None, method=""))
    assert response["Location"] == f"/acme/orders/{order.pk}/", response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert first.balance() == Decimal("0.00")
    assert second.balance() == Decimal("200.00") - (due - Decimal("30.00"))
    gift_payments = Payment.objects.filter(method=PaymentMethodKind.GIFT_CARD)
    assert sum(p.amount for p in gift_payments) == due
    assert balances.balance(family[0]) == order.due_later
    spent = second.transactions.get(kind=TransactionKind.SPENT)
    assert spent.order_use.order == order  # the spending order links to the card row
    receipt = logged_in.get(f"/acme/orders/{order.pk}/").content.decode()
    assert second.last4 in receipt


def test_a_card_pays_part_and_the_card_pays_the_rest(logged_in, org, family):
    card, code = a_card(org, "25.00", now=timezone.now())
    _class_in_cart(logged_in, org, family)
    order = start(logged_in)
    _apply(logged_in, order, code)
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert 'data-testid="to-pay"' in page
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response.status_code == 302
    card_payment = Payment.objects.get(method=PaymentMethodKind.CARD)
    assert card_payment.amount == order.due_now - Decimal("25.00")
    assert card.balance() == Decimal("0.00")


def test_a_wrong_spent_or_foreign_code_gets_one_message(logged_in, org, other_org, family):
    now = timezone.now()
    spent, spent_code = a_card(org, "10.00", now=now)
    from springboard.giftcards import services

    services.void(card=spent, reason="test", now=now, actor=None)
    _foreign, foreign_code = a_card(other_org, "50.00", now=now)
    _class_in_cart(logged_in, org, family)
    order = start(logged_in)
    for code in ["ABCD-EFGH-JKLM-NPQR", spent_code, foreign_code, "nonsense", "٣" * 16]:
        response = _apply(logged_in, order, code)
        assert response.status_code == 302
        assert WRONG in _messages(response), code
    assert not order.gift_cards.exists()


def test_move_to_credit_makes_the_balance_account_credit(logged_in, org, family):
    card, code = a_card(org, "100.00", "110.00", now=timezone.now())
    page = logged_in.post("/acme/egift-cards/balance/", {"code": code})
    assert page.status_code == 200
    assert "$110.00" in page.content.decode()
    response = logged_in.post("/acme/egift-cards/to-credit/", {"code": code})
    assert response["Location"] == "/acme/account/payments/"
    assert balances.credit(family[0]) == Decimal("110.00")
    assert card.balance() == Decimal("0.00")
    moved = card.transactions.get(kind=TransactionKind.MOVED_TO_CREDIT)
    assert moved.payment.amount == Decimal("110.00")
    again = logged_in.post("/acme/egift-cards/to-credit/", {"code": code})
    assert WRONG in _messages(again)  # spent now: the same message
    assert balances.credit(family[0]) == Decimal("110.00")


def test_the_balance_page_answers_anyone_with_the_code(client, org):
    _card, code = a_card(org, "40.00", now=timezone.now())
    response = client.post("/acme/egift-cards/balance/", {"code": code})
    assert "$40.00" in response.content.decode()
    assert 'data-testid="move-to-credit"' not in response.content.decode()  # needs a family
    wrong = client.post("/acme/egift-cards/balance/", {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert wrong.status_code == 400
    assert WRONG in wrong.content.decode()


def test_guessing_codes_is_rate_limited(client, org):
    for _ in range(20):
        client.post("/acme/egift-cards/balance/", {"code": "ABCD-EFGH-JKLM-NPQR"})
    response = client.post("/acme/egift-cards/balance/", {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert response.status_code == 429


def test_guessing_at_checkout_is_rate_limited_per_family(logged_in, org, family):
    _class_in_cart(logged_in, org, family)
    order = start(logged_in)
    for _ in range(10):
        _apply(logged_in, order, "ABCD-EFGH-JKLM-NPQR")
    assert _apply(logged_in, order, "ABCD-EFGH-JKLM-NPQR").status_code == 429


def test_a_card_credit_and_a_card_payment_share_one_mixed_order_exactly(logged_in, org, family):
    """A class and an eGift Card bought in one order, paid by another eGift Card, credit and
    the card: every charge due now is paid and nothing is left over as stray credit."""
    from tests.billing.factories import credit
    from tests.giftcards.conftest import buy_data

    card, code = a_card(org, "500.00", now=timezone.now())
    credit(family[0], "20.00")
    logged_in.post("/acme/egift-cards/", buy_data(amount="25.00"))
    _class_in_cart(logged_in, org, family)
    order = start(logged_in)
    response = _apply(logged_in, order, code)
    use = order.gift_cards.get()
    assert use.amount == order.due_now - Decimal("25.00")  # never pays for the card bought
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order, credit="20.00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    card_payment = Payment.objects.get(method=PaymentMethodKind.CARD)
    assert card_payment.amount == Decimal("5.00")
    assert balances.balance(family[0]) == order.due_later
    assert balances.credit(family[0]) == Decimal("0.00")

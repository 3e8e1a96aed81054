"""Buying an eGift Card through the one cart and checkout, logged in: the card is issued when
the order is paid, the recipient's email holds the code, the buyer sees it once."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from springboard.billing.models import Charge, ChargeKind
from springboard.checkout.models import Order, OrderStatus
from springboard.giftcards import codes
from springboard.giftcards.models import GiftCard, TransactionKind
from tests.checkout.helpers import pay_data, start
from tests.giftcards.conftest import buy_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")


def test_a_family_buys_a_card_and_the_friend_gets_the_code(
    logged_in, org, gift_config, django_capture_on_commit_callbacks
):
    page = logged_in.get("/acme/egift-cards/")
    assert page.status_code == 200
    assert "actually credited" in page.content.decode(), page.content.decode()
    response = logged_in.post("/acme/egift-cards/", buy_data(amount="100.00"))
    assert response["Location"] == "/acme/cart/", response.content.decode()[:3000]
    cart = logged_in.get("/acme/cart/").content.decode()
    assert "Sam Friend" in cart
    order = start(logged_in)
    assert order.total == Decimal("100.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response["Location"] == f"/acme/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    card = GiftCard.objects.get()
    assert card.balance() == Decimal("110.00")  # $100 credited as $110
    assert [t.kind for t in card.transactions.all()] == [
        TransactionKind.ISSUED,
        TransactionKind.BONUS,
    ]
    assert Charge.objects.get().kind == ChargeKind.GIFT_CARD
    gift_email = next(m for m in mail.outbox if m.to == ["sam@example.com"])
    code = CODE.search(gift_email.body).group(0)
    assert codes.hash_code(org.pk, code) == card.code_hash
    assert code not in str(GiftCard.objects.values().get())  # stored only as hash + last four
    assert card.last4 == code[-4:]
    receipt = next(m for m in mail.outbox if m.to != ["sam@example.com"])
    assert "eGift Card for Sam Friend" in receipt.body
    first = logged_in.get(f"/acme/orders/{order.pk}/").content.decode()
    assert code in first
    again = logged_in.get(f"/acme/orders/{order.pk}/").content.decode()
    assert code not in again and card.last4 in again  # shown once
    assert Order.objects.count() == 1

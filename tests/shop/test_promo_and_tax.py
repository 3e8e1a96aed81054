"""A promo code in an order with a product and an eGift Card: "everything in the order" is
the product, never the card (money itself) nor the sales tax; the tax is charged on what the
customer pays for the product, after the code."""

from decimal import Decimal

import pytest
from django.core import mail

from springboard.billing.models import Charge, ChargeKind, Payment
from springboard.checkout.models import OrderStatus, PromoCode
from springboard.giftcards.models import GiftCard
from tests.checkout.helpers import pay_data, start
from tests.giftcards.conftest import buy_data, gift_settings
from tests.shop import factories as shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
D = Decimal


def _leotard_and_card(client, org, leotard):
    gift_settings(org)
    shop.tax(org, "8.25")
    variant = shop.variant(leotard, "M")
    added = client.post(
        "/acme/cart/add/product/", {"product": leotard.pk, "variant": variant.pk, "quantity": "1"}
    )
    assert added["Location"] == "/acme/cart/"
    bought = client.post("/acme/egift-cards/", buy_data(amount="50.00"))
    assert bought["Location"] == "/acme/cart/"
    return start(client)


def test_ten_percent_off_takes_it_off_the_leotard_only_and_tax_follows(
    logged_in, org, family, leotard, django_capture_on_commit_callbacks
):
    PromoCode.objects.create(organization=org, code="WELCOME10", value=D("10"))
    order = _leotard_and_card(logged_in, org, leotard)
    assert order.total == D("40.00") + D("3.30") + D("50.00")
    response = logged_in.post(
        "/acme/cart/checkout/promo-code/", {"order": order.pk, "code": "WELCOME10"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    lines = [(line.kind, line.amount) for line in order.lines.order_by("position")]
    discounts = [amount for kind, amount in lines if kind == "discount"]
    assert discounts == [D("-4.00")]  # 10% of the $40 leotard; nothing off the card or tax
    assert (ChargeKind.GIFT_CARD, D("50.00")) in lines
    # 8.25% of the $36.00 paid for the leotard = 2.97 (not 8.25% of $40.00 = 3.30)
    assert (ChargeKind.TAX, D("2.97")) in lines
    assert order.total == D("36.00") + D("2.97") + D("50.00")
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.get().amount == D("88.97")
    charges = {c.kind: c.amount for c in Charge.objects.all()}
    assert charges == {
        ChargeKind.PRODUCT: D("36.00"),
        ChargeKind.TAX: D("2.97"),
        ChargeKind.GIFT_CARD: D("50.00"),
    }
    assert GiftCard.objects.get().balance() == D("50.00")  # the friend still gets $50
    assert any("Promo code WELCOME10" in m.body for m in mail.outbox)


def test_an_amount_off_never_reaches_the_card_or_the_tax(logged_in, org, family, leotard):
    PromoCode.objects.create(organization=org, code="TAKE60", value=D("60"), value_type="amount")
    order = _leotard_and_card(logged_in, org, leotard)
    logged_in.post("/acme/cart/checkout/promo-code/", {"order": order.pk, "code": "TAKE60"})
    order.refresh_from_db()
    lines = [(line.kind, line.amount) for line in order.lines.order_by("position")]
    # $60 off is capped at the leotard's $40: the card stays $50 and no tax is left to pay.
    assert [a for k, a in lines if k == "discount"] == [D("-40.00")]
    assert (ChargeKind.GIFT_CARD, D("50.00")) in lines
    assert not any(k == ChargeKind.TAX and a > 0 for k, a in lines)
    assert order.total == D("50.00")


def test_a_code_on_a_card_alone_does_not_apply(logged_in, org, family, proshop):
    PromoCode.objects.create(organization=org, code="WELCOME10", value=D("10"))
    gift_settings(org)
    logged_in.post("/acme/egift-cards/", buy_data(amount="50.00"))
    order = start(logged_in)
    response = logged_in.post(
        "/acme/cart/checkout/promo-code/", {"order": order.pk, "code": "WELCOME10"}
    )
    assert response.status_code == 400
    assert "This code does not apply to anything in this order." in response.content.decode()
    order.refresh_from_db()
    assert order.total == D("50.00") and order.promo_code is None

"""The pay form's checks before the gateway (springboard/checkout/pay_checks.py): the order is
read with what is recorded under its attempt's key and what its eGift Cards pay, each used
once; a payment recorded after the form was checked is still never charged twice
(docs/performance.md, "The pay step, cheaper")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Payment
from springboard.checkout import services
from springboard.checkout.models import OrderStatus
from tests.billing.factories import VISA, card_token
from tests.booking.conftest import NOW
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _read(org, fam, order, attempt):
    read = services.read_pay_form(org, fam, order.pk, attempt)
    read.order.organization, read.order.family = org, fam
    return read


def test_the_pay_form_s_order_comes_with_its_attempt_s_payment_read_once(logged_in, org, family):
    fam, _student = family
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    with scope(organization=org):
        read = _read(org, fam, order, order.attempt)
        posted = read.order
        gateway = get_gateway(org)
        with CaptureQueriesContext(connection) as with_read:
            assert services.gift_cards.gift_total(posted, read=read) == 0
            assert services.check_payable(
                posted, order.attempt, NOW, gateway, read=read
            ) == services.AttemptChecked(taken=False, recorded=False)
        # The read is handed on, never left on the order: asked again without it.
        with CaptureQueriesContext(connection) as without:
            assert services.gift_cards.gift_total(posted) == 0
            assert services.check_payable(
                posted, order.attempt, NOW, gateway
            ) == services.AttemptChecked(taken=False, recorded=False)
        assert len(without) == len(with_read) + 2
        assert "_status_under_key" not in posted.__dict__
        assert "_gift_total_read" not in posted.__dict__
        assert "status_under_key" not in posted.__dict__
    response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response.status_code == 302
    with scope(organization=org):
        paid = _read(org, fam, order, order.attempt)
        assert paid.order.status == OrderStatus.CONFIRMED
        assert paid.status_under_key == "succeeded"
        # Another attempt's key, and another family's order: nothing.
        assert _read(org, fam, order, order.attempt + 1).status_under_key is None
        assert services.read_pay_form(org, fam, order.pk + 1000, 1) is None


def test_a_payment_recorded_after_the_form_was_checked_is_not_charged_twice(logged_in, org, family):
    fam, _student = family
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    token = card_token(org, VISA)
    with scope(organization=org):
        read = _read(org, fam, order, order.attempt)
        checked = services.check_payable(read.order, order.attempt, NOW, read=read)
    assert not checked.recorded
    # The same form, submitted again in another tab, pays meanwhile.
    data = {**pay_data(org, order, number=None), "payment_token": token}
    assert logged_in.post("/acme/cart/checkout/", data).status_code == 302
    assert Payment.objects.count() == 1
    # This request goes on with its answer from before: the gateway's key and the payment's
    # unique key give the same charge and the same payment.
    with scope(organization=org):
        result = services.pay(
            order=read.order,
            request=services.PayRequest(attempt=order.attempt, token=token),
            user=None,
            now=NOW,
            fresh=True,
            checked=checked,
            read=read,
        )
    assert result.status == OrderStatus.CONFIRMED
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert result.payment_id == Payment.objects.get().pk

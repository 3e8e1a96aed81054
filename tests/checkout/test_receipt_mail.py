"""The order's receipt is queued after commit as the order's id and written in the worker from
the committed rows (issue 17, item 3): the family still gets it, with what it paid by; a
pending order (a confirmation rolled back) never gets one."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from springboard.checkout.models import Order, OrderStatus
from springboard.checkout.receipt_mail import send_order_receipt
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_the_receipt_shows_the_paid_order_and_the_card(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert callbacks  # sent only once the confirmation committed
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    (receipt,) = mail.outbox
    assert receipt.to == [family[0].email]
    assert str(order.pk) in receipt.subject
    assert f"…{order.payment.last4}" in receipt.body
    for line in order.lines.all():
        assert line.description in receipt.body


def test_a_task_for_an_order_not_confirmed_sends_nothing(logged_in, org, family):
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    send_order_receipt.call(order_id=order.pk)
    send_order_receipt.call(order_id=Order.objects.latest("pk").pk + 1000)
    assert mail.outbox == []


def test_the_queued_task_carries_the_order_id_not_the_text(
    logged_in, org, family, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cart_with_two_students(logged_in, org, family)
    order = start(logged_in)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    queued = DBTaskResult.objects.get(task_path=f"{send_order_receipt.module_path}")
    assert queued.args_kwargs == {"args": [], "kwargs": {"order_id": order.pk}}
    assert mail.outbox == []  # the worker sends it

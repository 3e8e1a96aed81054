"""A confirmed order's receipt, queued after commit as its ids and rendered in the task
worker (issue 17, item 3: rendering its two templates was a tenth of the pay request's CPU).

The receipt has no secret, but it is rendered from the rows as committed (the order, its
payment and its lines), in the family's language, so what the family reads is the ledger's
state and the request does not wait for the templates. The tests run tasks at once.
"""

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from springboard.checkout.models import Order, OrderStatus
from springboard.families.language import in_language_of
from springboard.families.mail import _render, send_email


@task
@scopes_disabled()  # the worker: no request, no organization scope
def send_order_receipt(*, order_id: int) -> None:
    order = (
        Order.objects.filter(pk=order_id, status=OrderStatus.CONFIRMED)
        .select_related("organization", "family", "payment")
        .first()
    )
    if order is None or not order.family.email:
        return
    with in_language_of(order.family):
        lines = list(order.lines.order_by("position", "id"))
        subject = _("Your receipt from %(name)s (order %(number)s)") % {
            "name": order.organization.name,
            "number": order.pk,
        }
        context = {"order": order, "lines": lines, "organization": order.organization}
        text, html = _render("receipt", {**context, "subject": subject})
    send_email.call(to=order.family.email, subject=subject, text=text, html=html)


def send_receipt(order: Order) -> None:
    """Queue the receipt of `order` (being confirmed in this transaction) after commit."""
    order_id = order.pk
    transaction.on_commit(lambda: send_order_receipt.enqueue(order_id=order_id), robust=True)

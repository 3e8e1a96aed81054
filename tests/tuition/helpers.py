"""Enrolling through checkout (as a family does) and moving through a term month by month."""

from datetime import datetime

from django.utils import timezone

from springboard.booking import services as booking
from springboard.checkout import services as checkout
from tests.billing.factories import card_token
from tests.catalog import factories as catalog


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=catalog.CHICAGO)


def enroll_through_checkout(family, students, course, *, token=None):
    """Hold, check out and pay the first month (and any fee) like the cart pages do."""
    now = timezone.now()
    booking.add_course(family=family, students=students, course=course, now=now)
    order = checkout.start_checkout(family=family, user=None, now=now)
    request = checkout.PayRequest(
        attempt=order.attempt, token=token or card_token(family.organization)
    )
    return checkout.pay(order=order, request=request, user=None, now=now)

"""On PostgreSQL: confirming an order takes the same locks as holding a seat (what is sold,
then the family, then the order), with the same timeout → "please try again" (409); the
locks are NO KEY UPDATE, so rows pointing at a locked row can still be inserted; a payment
that answers after the window races a newcomer for the seat and exactly one of them gets it.
Each race is first shown without the lock."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxCharge
from springboard.billing.models import Payment
from springboard.booking import locking
from springboard.booking import services as booking
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import Enrollment, WaitlistEntry
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from springboard.checkout import services
from springboard.checkout.models import Order, OrderStatus
from tests import factories, family_factories
from tests.billing.concurrency_helpers import run_together
from tests.billing.factories import card_token
from tests.booking.conftest import NOW
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _during_enrollment():
    """The catalogue factories' term is open for enrollment at NOW: every thread runs then
    (the clock ticks from there, so holds and payment windows behave as in real time)."""
    with time_machine.travel(NOW, tick=True):
        yield


KID = date(2020, 6, 1)


def _org():
    org = factories.organization()
    factories.location(org)
    return org


def _family(org, name):
    family = family_factories.family(org, last_name=name)
    return family, family_factories.student(family, first_name=name, birth_date=KID)


def _pending_order_for_the_last_seat(org, now, name="Payer"):
    course = catalog.course(org, capacity=1, tuition="100.00")
    family, kid = _family(org, name)
    booking.add_course(family=family, students=[kid], course=course, now=now)
    return course, services.start_checkout(family=family, user=None, now=now)


def _in_a_thread(work):
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_held_lock_makes_confirm_a_polite_409_and_the_retry_charges_once(monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    org = _org()
    now = timezone.now()
    course, order = _pending_order_for_the_last_seat(org, now)
    request = services.PayRequest(attempt=1, token=card_token(org))

    def pay():
        return services.pay(
            order=Order.objects.get(pk=order.pk), request=request, user=None, now=now
        )

    with transaction.atomic():
        list(Course.objects.select_for_update().filter(pk=course.pk))  # a crowd on this class
        thread, outcome = _in_a_thread(pay)
        thread.join(timeout=10)
    assert isinstance(outcome.get("error"), BookingBusy), outcome
    assert outcome["error"].status == 409
    assert "try again" in outcome["error"].message
    assert "not charge you twice" in outcome["error"].message
    assert not Enrollment.objects.exists()

    # The family tries again with the same form: the same key, no second charge.
    assert pay().status == OrderStatus.CONFIRMED
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1
    assert Enrollment.objects.filter(course=course, status="active").count() == 1


@pytest.mark.parametrize("lock", ["course", "order"])
def test_a_lock_on_what_is_sold_or_on_an_order_does_not_block_rows_pointing_at_it(lock):
    """NO KEY UPDATE: the rows are locked to change them, not to delete them, so inserting a
    row whose foreign key points at them (a waitlist entry, an order line) is not blocked."""
    org = _org()
    now = timezone.now()
    course, order = _pending_order_for_the_last_seat(org, now)
    family, kid = _family(org, "Other")

    def insert():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            if lock == "course":
                return WaitlistEntry.objects.create(
                    organization=org, family=family, student=kid, course=course, joined_at=now
                )
            return order.lines.create(
                position=99, kind="fee", description="x", amount="1.00", due_date=date.today()
            )

    holding = locking.locked(Course, [course.pk]) if lock == "course" else transaction.atomic()
    with holding:
        if lock == "order":
            services.lock_order(org, order.family, order.pk)
        thread, outcome = _in_a_thread(insert)
        thread.join(timeout=10)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].pk


def _late_race(org, *, lock: bool, barrier=None):
    """A pays; the gateway answers after the window; meanwhile B adds the seat."""
    start = timezone.now()
    course, order = _pending_order_for_the_last_seat(org, start)
    late = order.expires_at + timedelta(minutes=1)
    rival, rival_kid = _family(org, "Rival")
    request = services.PayRequest(attempt=1, token=card_token(org))
    pause = barrier.wait if barrier else None

    def work(index):
        if index == 0:
            return services.pay(
                order=Order.objects.get(pk=order.pk),
                request=request,
                user=None,
                now=start,
                clock=lambda: late,
                lock=lock,
                after_read=pause,
            )
        return booking.add_course(
            family=rival, students=[rival_kid], course=course, now=late, lock=lock, after_read=pause
        )

    roles = iter(range(2))

    def either():
        role = next(roles)
        try:
            return role, work(role)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            return role, error

    results = dict(run_together(2, either))  # {0: the payer's outcome, 1: the newcomer's}
    return course, order, late, results


def test_without_the_lock_a_late_payment_and_a_newcomer_both_take_the_last_seat():
    org = _org()
    course, order, late, results = _late_race(
        org, lock=False, barrier=threading.Barrier(2, timeout=10)
    )
    openings = course_openings(Course.objects.get(pk=course.pk), now=late)
    assert openings.oversold, results  # two seats sold of one


def test_with_the_lock_a_late_payment_or_the_newcomer_gets_the_seat_never_both():
    org = _org()
    for _round in range(8):
        course, order, late, results = _late_race(org, lock=True)
        openings = course_openings(Course.objects.get(pk=course.pk), now=late)
        assert openings.taken == 1 and not openings.oversold, results
        order.refresh_from_db()
        paid = Payment.objects.get(idempotency_key=order.idempotency_key(1))
        if order.status == OrderStatus.CONFIRMED:
            assert isinstance(results[1], BookingError), results
        else:
            assert "kept as credit" in results[0].message, results
            assert balances.payment_unallocated_amount(paid) == paid.amount
        assert not any(isinstance(r, OperationalError) for r in results.values())

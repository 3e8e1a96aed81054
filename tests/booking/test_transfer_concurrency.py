"""A transfer into the last seat against a family holding it in the cart, at the same
moment (PostgreSQL): without the lock both take it; with it one wins and the other is told
the class is full. Rounds with a fresh class each time."""

import threading
from datetime import date, datetime

import pytest

from springboard.booking import services, transfers
from springboard.booking.locking import BookingError
from springboard.booking.models import CartItem, ChangeRequest, Enrollment
from springboard.tuition import changes
from tests import family_factories
from tests.booking.test_concurrency import run_at_once
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NOW = datetime(2027, 1, 14, 10, tzinfo=catalog.CHICAGO)
ROUNDS = 8


@pytest.fixture
def people(org):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    old = catalog.course(org, term=term, capacity=5, name="Old")
    mover = family_factories.family(org, last_name="Mover")
    maya = family_factories.student(mover, birth_date=date(2020, 6, 1))
    enrollment = Enrollment.objects.create(
        organization=org, student=maya, course=old, created_at=NOW
    )
    buyer = family_factories.family(org, last_name="Buyer")
    kid = family_factories.student(buyer, birth_date=date(2020, 6, 1))
    return term, mover, enrollment, buyer, kid


def _race(org, people, *, lock: bool):
    term, mover, enrollment, buyer, kid = people
    plan = changes.transfer_plan(enrollment, family=mover, now=NOW)
    outcomes = []
    for number in range(ROUNDS):
        course = catalog.course(org, term=term, capacity=1, name=f"Last seat {lock} {number}")
        after_read = threading.Barrier(2, timeout=10) if not lock else None

        def wait(after_read=after_read):
            if after_read is not None:
                after_read.wait()

        def act(who, _round, course=course, wait=wait):
            if who == 0:
                return transfers.hold(
                    family=mover, plan=plan, course=course, now=NOW, lock=lock, after_read=wait
                )
            return services.add_course(
                family=buyer, students=[kid], course=course, now=NOW, lock=lock, after_read=wait
            )

        results = run_at_once(2, act)[0]
        taken = ChangeRequest.objects.filter(to_course=course, status="held").count()
        taken += CartItem.objects.filter(course=course).count()
        outcomes.append((taken, results))
        ChangeRequest.objects.filter(enrollment=enrollment).update(status="lapsed")
    return outcomes


def test_without_the_lock_the_transfer_and_the_cart_both_take_the_last_seat(org, people):
    outcomes = _race(org, people, lock=False)
    assert any(taken == 2 for taken, _ in outcomes)  # oversold: the race is real


def test_with_the_lock_one_wins_and_the_other_is_told_it_is_full(org, people):
    for taken, results in _race(org, people, lock=True):
        assert taken == 1
        refused = [r for r in results if isinstance(r, BookingError)]
        assert len(refused) == 1 and "full" in refused[0].message

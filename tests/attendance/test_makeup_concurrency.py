"""On PostgreSQL: 20 families booking makeups into the last free place of one meeting at the
same moment. First the race without the lock (every thread held right after reading the
meeting's places: more than one makeup), then with the course lock: exactly one."""

import threading
from datetime import timedelta

import pytest

from springboard.attendance import services
from springboard.attendance.models import Makeup
from springboard.booking.locking import BookingError
from tests.attendance.helpers import (
    MONDAY,
    SUNDAY_NOON,
    WEDNESDAY,
    classes,
    enrolled_family,
    fill,
    rules,
)
from tests.billing.concurrency_helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
FAMILIES = 20


@pytest.fixture
def last_place(org):
    rules(org)
    monday, wednesday = classes(org, capacity=4)
    fill(org, wednesday, 3)  # one place left at every Wednesday
    families = []
    for number in range(FAMILIES):
        family, kid, enrollment = enrolled_family(org, monday, last_name=f"F{number}")
        services.mark_absent(enrollment, MONDAY, family=family, now=SUNDAY_NOON)
        families.append((family, kid))
    monday.capacity = FAMILIES
    monday.save()
    return wednesday, families


def _book_all(wednesday, families, *, lock, after_read=None):
    numbers = iter(range(FAMILIES))
    pick = threading.Lock()

    def book():
        with pick:
            family, kid = families[next(numbers)]
        return services.book_makeup(
            kid,
            wednesday,
            WEDNESDAY,
            family=family,
            now=SUNDAY_NOON,
            lock=lock,
            after_read=after_read,
        )

    return run_together(FAMILIES, book)


def test_without_the_lock_20_families_overbook_the_last_place(last_place):
    wednesday, families = last_place
    after_read = threading.Barrier(FAMILIES, timeout=20)
    _book_all(wednesday, families, lock=False, after_read=after_read.wait)
    assert Makeup.objects.filter(course=wednesday, date=WEDNESDAY).count() > 1


def test_with_the_lock_exactly_one_of_20_families_gets_the_last_place(last_place):
    wednesday, families = last_place
    results = _book_all(wednesday, families, lock=True)
    booked = [r for r in results if isinstance(r, Makeup)]
    refused = [r for r in results if isinstance(r, BookingError)]
    assert len(booked) == 1, results
    assert len(refused) == FAMILIES - 1
    assert all("full on" in r.message or "try again" in r.message for r in refused)
    assert Makeup.objects.filter(course=wednesday, date=WEDNESDAY).count() == 1
    # The next Wednesday still has its place.
    assert not Makeup.objects.filter(date=WEDNESDAY + timedelta(days=7)).exists()

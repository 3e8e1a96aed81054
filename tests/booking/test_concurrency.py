"""Registration night on PostgreSQL: many families clicking at once never oversell.

Each test first shows the race exists (lock off, every thread held by a barrier right after
reading the openings), then that the lock closes it. Threads use their own connections and
close them. PostgreSQL only: SQLite serialises writers and has no row locks.
"""

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction

from springboard.booking import locking, services
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import CartItem
from springboard.booking.services import PartyChoice
from springboard.catalog.models import Course
from tests import family_factories
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 12, 1, 15, tzinfo=catalog.CHICAGO)
FAMILIES = 40
SEATS = 3


def run_at_once(count: int, action, rounds: int = 1) -> list[list]:
    """Run action(i, round) in `count` threads, every round released together by a barrier.

    The same threads (and their connections) serve every round, which keeps 20 rounds of
    40 families fast; each closes its connection at the end. Returns results or errors.
    """
    start = threading.Barrier(count, timeout=20)
    results: list[list] = [[None] * count for _ in range(rounds)]

    def worker(number: int) -> None:
        try:
            for round_number in range(rounds):
                start.wait()
                try:
                    results[round_number][number] = action(number, round_number)
                except BookingError as error:
                    results[round_number][number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def families(org):
    found = []
    for number in range(FAMILIES):
        family = family_factories.family(org, last_name=f"F{number}")
        found.append((family, family_factories.student(family, birth_date=date(2020, 6, 1))))
    return found


def _last_seats(org) -> Course:
    return catalog.course(org, capacity=SEATS)


def test_without_the_lock_40_families_oversell_the_last_3_seats(org, families):
    course = _last_seats(org)
    after_read = threading.Barrier(FAMILIES, timeout=20)

    def add(number, _round):
        family, student = families[number]
        return services.add_course(
            family=family,
            students=[student],
            course=course,
            now=NOW,
            lock=False,
            after_read=after_read.wait,
        )

    run_at_once(FAMILIES, add)
    assert CartItem.objects.filter(course=course).count() > SEATS


def test_with_the_lock_exactly_3_holds_over_20_rounds(org, families):
    courses = [_last_seats(org) for _ in range(20)]

    def add(number, round_number):
        family, student = families[number]
        return services.add_course(
            family=family, students=[student], course=courses[round_number], now=NOW
        )

    for course, results in zip(courses, run_at_once(FAMILIES, add, rounds=20), strict=True):
        assert CartItem.objects.filter(course=course).count() == SEATS
        assert len([r for r in results if isinstance(r, list)]) == SEATS
        assert all(isinstance(r, (list, BookingError)) for r in results)


def test_two_families_one_party_slot_one_hold(org, families):
    package = catalog.party_package(org)
    slots = [
        catalog.party_slot(org, NOW + timedelta(days=3, hours=n), packages=[package])
        for n in range(10)
    ]

    def add(number, round_number):
        family, student = families[number]
        choice = PartyChoice(slots[round_number], package, 8, {}, honour_student=student)
        return services.add_party(family=family, choice=choice, now=NOW)

    run_at_once(2, add, rounds=len(slots))
    for slot in slots:
        assert CartItem.objects.filter(party_slot=slot).count() == 1


def test_two_families_one_camp_day_one_hold(org, families):
    camps = [
        catalog.event(org, days=[date(2027, 3, 15), date(2027, 3, 16)], capacity_per_day=1)
        for _ in range(10)
    ]
    days = [list(camp.days.all()) for camp in camps]

    def add(number, round_number):
        family, student = families[number]
        # One family books both days, the other the second day only: the locks overlap.
        chosen = days[round_number] if number == 0 else days[round_number][1:]
        return services.add_event(
            family=family, student=student, event=camps[round_number], days=chosen, now=NOW
        )

    run_at_once(2, add, rounds=len(camps))
    for camp in camps:
        assert CartItem.objects.filter(event=camp).count() == 1


def test_a_lock_not_granted_in_time_is_a_polite_busy(org, families, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    course = _last_seats(org)
    family, student = families[0]
    outcome = {}

    def other_family():
        try:
            services.add_course(family=family, students=[student], course=course, now=NOW)
        except BookingBusy as error:
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        list(Course.objects.select_for_update().filter(pk=course.pk))
        thread = threading.Thread(target=other_family)
        thread.start()
        thread.join(timeout=10)
    assert "Many families are booking right now" in outcome["error"].message
    assert outcome["error"].status == 409

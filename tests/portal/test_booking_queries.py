"""The booking pages run the same number of queries for 20 and for 2,000 rows."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from springboard.catalog.models import Course, EventDay, PartySlot
from tests import factories
from tests.catalog import factories as catalog
from tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(datetime(2026, 12, 1, 18, tzinfo=UTC), tick=False):
        yield


def add_courses(org, count: int) -> None:
    term = catalog.term(org) if not org.term_set.exists() else org.term_set.get()
    program = catalog.program(org) if not org.program_set.exists() else org.program_set.first()
    coach = factories.staff_profile(org)
    rows = [
        catalog.course(
            org,
            save=False,
            term=term,
            program=program,
            name=f"Class {n}",
            capacity=n % 7,
            **{["monday", "tuesday", "saturday"][n % 3]: True},
        )
        for n in range(count)
    ]
    created = Course.objects.bulk_create(rows)
    through = Course.instructors.through
    through.objects.bulk_create(
        [through(course_id=c.pk, staffprofile_id=coach.pk) for c in created]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/acme/booking/classes/",
        "/acme/booking/classes/?day=0&age=6&openings=on&q=class&page=2",
        "/acme/booking/find-the-right-class/?birth_date=2020-06-01&student_gender=female",
    ],
)
def test_the_classes_pages_queries_do_not_grow_with_the_courses(client, org, url):
    add_courses(org, 20)
    few = queries_for(client, url)
    add_courses(org, 1980)
    assert Course.objects.count() == 2000
    assert queries_for(client, url) == few


def add_events(org, count: int) -> None:
    for n in range(count):
        event = catalog.event(org, days=[], name=f"Camp {n}")
        EventDay.objects.bulk_create(
            [
                EventDay(
                    event=event,
                    date=date(2027, 1, 1) + timedelta(days=d),
                    start_time=time(9),
                    end_time=time(15),
                )
                for d in range(3)
            ]
        )


def test_the_events_page_queries_do_not_grow(client, org):
    add_events(org, 20)
    few = queries_for(client, "/acme/booking/events/")
    add_events(org, 200)
    assert queries_for(client, "/acme/booking/events/") == few
    assert queries_for(client, "/acme/booking/events/?page=3") == few


def add_slots(org, count: int, packages) -> None:
    start = datetime(2026, 12, 5, 15, tzinfo=UTC)
    location = org.location_set.first()
    slots = PartySlot.objects.bulk_create(
        [
            PartySlot(
                organization=org,
                location=location,
                starts_at=start + timedelta(minutes=5 * n),
                ends_at=start + timedelta(minutes=5 * n + 90),
            )
            for n in range(count)
        ]
    )
    through = PartySlot.packages.through
    through.objects.bulk_create(
        [through(partyslot_id=s.pk, partypackage_id=p.pk) for s in slots for p in packages]
    )


def test_the_parties_page_queries_do_not_grow(client, org):
    packages = [catalog.party_package(org) for _ in range(2)]
    add_slots(org, 20, packages)
    url = "/acme/booking/parties/?date=2026-12-05"
    few = queries_for(client, url)
    add_slots(org, 2000, packages)
    for _ in range(20):
        catalog.party_package(org)
    assert queries_for(client, url) == few

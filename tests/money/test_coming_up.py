"""Coming Up!: the next 14 days of classes, camp days and parties, in each location's time
zone, soonest first, closures skipped — across a daylight-saving change (US: 14 March 2027)."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from springboard.booking.models import Enrollment, EventRegistration, PartyBooking
from springboard.portal.coming_up import coming_up
from tests import factories, family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 5, 12, tzinfo=UTC)  # a Friday, nine days before the change


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def schedule(org, family):
    main = org.location_set.get()  # America/Chicago
    west = factories.location(org, name="West", time_zone="America/Los_Angeles")
    mia = family_factories.student(family, first_name="Mia")
    leo = family_factories.student(family, first_name="Leo")
    swim = catalog.course(org, name="Swim 1", location=main, monday=True, wednesday=True)
    gym = catalog.course(
        org, name="Gym 2", location=west, tuesday=True, start_time=time(9), end_time=time(10)
    )
    catalog.closure(org, date(2027, 3, 9), date(2027, 3, 10), location=main)
    for student, course in ((mia, swim), (leo, gym)):
        Enrollment.objects.create(organization=org, student=student, course=course, created_at=NOW)
    camp = catalog.event(
        org, name="Spring Camp", days=[date(2027, 3, 16), date(2027, 4, 1)], location=west
    )
    for day in camp.days.all():
        EventRegistration.objects.create(
            organization=org, student=mia, event_day=day, created_at=NOW
        )
    package = catalog.party_package(org, name="Splash Party")
    slot = catalog.party_slot(org, datetime(2027, 3, 13, 20, tzinfo=UTC), location=main)
    PartyBooking.objects.create(
        organization=org,
        family=family,
        slot=slot,
        package=package,
        guest_count=8,
        guest_of_honour_name="Leo",
        created_at=NOW,
    )


def _local(item):
    return item.starts_at.strftime("%a %d %H:%M %Z"), item.student, item.what, item.location


def test_the_next_14_days_in_each_locations_time_zone(family, schedule):
    assert [_local(i) for i in coming_up(family, now=NOW)] == [
        ("Mon 08 16:00 CST", "Mia", "Swim 1", "Main"),
        # Tue 9 (West) is not closed: the closure is Main's; Wed 10 (Main) is closed.
        ("Tue 09 09:00 PST", "Leo", "Gym 2", "West"),
        ("Sat 13 14:00 CST", "Leo", "Splash Party", "Main"),
        # After the change: still 16:00 and 9:00 on the wall clock, an hour earlier in UTC.
        ("Mon 15 16:00 CDT", "Mia", "Swim 1", "Main"),
        ("Tue 16 09:00 PDT", "Leo", "Gym 2", "West"),
        ("Tue 16 09:00 PDT", "Mia", "Spring Camp", "West"),
        ("Wed 17 16:00 CDT", "Mia", "Swim 1", "Main"),
    ]
    utc = [i.starts_at.astimezone(UTC).hour for i in coming_up(family, now=NOW)]
    assert utc[0] == 22 and utc[3] == 21


def test_dashboard_lists_them_in_local_time(client, family, schedule):
    with time_machine.travel(NOW, tick=False):
        assert timezone.now() == NOW
        client.force_login(family.guardians.get().user)
        response = client.get("/acme/dashboard/")
    body = response.content.decode()
    assert "Coming Up!" in body
    assert body.index("Mon, Mar 8") < body.index("Wed, Mar 17")
    assert "4:00 PM–5:00 PM CDT" in body and "9:00 AM–10:00 AM PST" in body
    assert "Wed, Mar 10" not in body  # the closure


def test_dropped_enrollments_and_other_families_are_not_listed(org, family, schedule):
    Enrollment.objects.filter(student__first_name="Leo").update(status="dropped")
    neighbour = family_factories.family(org, last_name="Okafor")
    assert all(i.what != "Gym 2" for i in coming_up(family, now=NOW))
    assert coming_up(neighbour, now=NOW) == []

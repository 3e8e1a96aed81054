"""The private calendar feed: My Account gives a family a URL, a calendar app fetches it
without a session, and what it reads back (parsed with icalendar) is the family's schedule in
each location's time zone — across the US daylight-saving change of 14 March 2027."""

import re
from datetime import UTC, date, datetime, time

import icalendar
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from springboard.booking.models import Enrollment, EventRegistration, PartyBooking
from springboard.families.calendar_feeds import issue_feed, token_for
from springboard.families.models import CalendarFeed
from tests import factories, family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 5, 12, tzinfo=UTC)  # a Friday, nine days before the change


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family(org):
    return family_factories.family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family.guardians.get().user)
    return client


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
    catalog.closure(org, date(2027, 3, 10), location=main)
    for student, course in ((mia, swim), (leo, gym)):
        Enrollment.objects.create(organization=org, student=student, course=course, created_at=NOW)
    camp = catalog.event(
        org, name="Spring Camp", days=[date(2027, 3, 16), date(2027, 4, 1)], location=west
    )
    for day in camp.days.all():
        EventRegistration.objects.create(
            organization=org, student=mia, event_day=day, created_at=NOW
        )
    PartyBooking.objects.create(
        organization=org,
        family=family,
        slot=catalog.party_slot(org, datetime(2027, 3, 13, 20, tzinfo=UTC), location=main),
        package=catalog.party_package(org, name="Splash Party"),
        guest_count=8,
        guest_of_honour_name="Leo",
        created_at=NOW,
    )
    return main


def _feed_url(logged_in) -> str:
    page = logged_in.get("/acme/account/").content.decode()
    field = re.search(r'<input[^>]*data-testid="calendar-url"[^>]*>', page)[0]
    return re.search(r'value="http://testserver([^"]+)"', field)[1]


def _subscribe(logged_in) -> str:
    assert logged_in.post("/acme/account/calendar/").status_code == 302
    return _feed_url(logged_in)


def _events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def _local(event):
    starts = event.decoded("dtstart")
    return starts.strftime("%a %b %d %H:%M %Z"), str(event["summary"])


def test_a_calendar_app_reads_the_whole_schedule_in_local_time(logged_in, schedule):
    url = _subscribe(logged_in)
    response = Client().get(url)  # a calendar app: no session, the token alone

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    zones = {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")}
    assert zones == {"America/Chicago", "America/Los_Angeles"}
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    summaries = [str(e["summary"]) for e in events]
    # Four weeks back (from Mon 8 Feb) to the end of the term (Sat 27 Mar) and the camp's
    # last day after it; Wed 10 Mar is closed at Main.
    assert summaries.count("Mia: Swim 1") == 13
    assert summaries.count("Leo: Gym 2") == 7
    assert summaries.count("Mia: Spring Camp") == 2
    assert "Party: Splash Party for Leo" in summaries
    assert _local(events[0]) == ("Mon Feb 08 16:00 CST", "Mia: Swim 1")
    assert _local(events[-1]) == ("Thu Apr 01 09:00 PDT", "Mia: Spring Camp")

    swim = [e for e in events if str(e["summary"]) == "Mia: Swim 1"]
    before, after = (
        next(e for e in swim if e.decoded("dtstart").date() == day)
        for day in (date(2027, 3, 8), date(2027, 3, 15))
    )
    for event in (before, after):
        assert event["dtstart"].params["TZID"] == "America/Chicago"
        assert event.decoded("dtstart").time() == time(16)  # 16:00 on the wall clock...
        assert event.decoded("dtend").time() == time(17)
    # ...which is an hour earlier in UTC after the change.
    assert before.decoded("dtstart").astimezone(UTC).hour == 22
    assert after.decoded("dtstart").astimezone(UTC).hour == 21
    assert str(before["location"]) == f"Main, {schedule.one_line_address}"
    assert not any(e.decoded("dtstart").date() == date(2027, 3, 10) for e in swim)


def test_every_meeting_keeps_its_uid_from_fetch_to_fetch(logged_in, schedule):
    url = _subscribe(logged_in)
    first = _events(Client().get(url))
    with time_machine.travel(datetime(2027, 3, 6, 12, tzinfo=UTC), tick=False):
        second = _events(Client().get(url))
    assert len(first) == 23  # one UID per meeting, none shared
    assert set(second) == set(first)
    assert all(str(second[uid]["dtstart"].dt) == str(first[uid]["dtstart"].dt) for uid in first)


def test_a_reset_kills_the_old_url(logged_in, family, schedule):
    old = _subscribe(logged_in)
    page = logged_in.get("/acme/account/calendar/reset/")
    assert b"Reset the link" in page.content
    assert Client().get(old).status_code == 200  # asking is not resetting

    response = logged_in.post("/acme/account/calendar/reset/")
    assert response.status_code == 302
    new = _feed_url(logged_in)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_the_token_is_not_stored(logged_in, family):
    url = _subscribe(logged_in)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    row = CalendarFeed.objects.values().get(family=family)
    assert token not in str(row)


def test_another_organizations_token_is_a_404(client, org, other_org):
    rival = family_factories.family(other_org, last_name="Okafor")
    token = token_for(issue_feed(family=rival, now=NOW))
    assert client.get(f"/rival/calendar/{token}.ics").status_code == 200
    assert client.get(f"/acme/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize(
    "token",
    ["", "a" * 43, "A" * 42, "x" * 10_000, "ñ" * 43, "%C3%B1" * 43, "..%2F..", "%00" * 43],
)
def test_a_bad_token_is_a_404(client, org, family, token):
    issue_feed(family=family, now=NOW)
    assert client.get(f"/acme/calendar/{token}.ics").status_code == 404


def test_only_a_logged_in_family_gets_a_url(client, org, family):
    response = client.post("/acme/account/calendar/")
    assert response.status_code == 302 and "/acme/login/" in response["Location"]
    assert not CalendarFeed.objects.exists()
    client.force_login(family.guardians.get().user)
    assert client.get("/acme/account/calendar/").status_code == 405  # a POST only
    assert not CalendarFeed.objects.exists()


def _queries(url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries)


def test_the_feeds_queries_do_not_grow_with_the_schedule(org, family):
    token = token_for(issue_feed(family=family, now=NOW))
    url = f"/acme/calendar/{token}.ics"
    small = _queries(url)
    for number in range(4):
        location = factories.location(org, name=f"Site {number}")
        student = family_factories.student(family, first_name=f"Kid{number}")
        course = catalog.course(org, name=f"Class {number}", location=location, friday=True)
        Enrollment.objects.create(organization=org, student=student, course=course, created_at=NOW)
        camp = catalog.event(org, name=f"Camp {number}", days=[date(2027, 3, 20)])
        EventRegistration.objects.create(
            organization=org, student=student, event_day=camp.days.get(), created_at=NOW
        )
    # Eight Fridays each (5 Feb to 26 Mar), four camp days.
    assert len(_events(Client().get(url))) == 4 * 8 + 4
    # The closures, the absences and the attendance rules: read once when there are classes
    # (a family without enrollments reads none of them; docs/performance.md, "listcost").
    assert _queries(url) == small + 3

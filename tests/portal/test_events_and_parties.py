"""Events (Camps) and Parties pages: what is listed, at which location, and bad input."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests import factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(datetime(2026, 12, 1, 18, tzinfo=UTC), tick=False):
        yield


def test_events_list_upcoming_shown_events_at_the_current_location(client, org):
    catalog.event(
        org,
        name="Holiday Camp",
        days=[date(2026, 12, 21), date(2026, 12, 22)],
        price_whole_event="90.00",
        min_age_years=5,
        max_age_years=12,
    )
    catalog.event(org, name="Past Camp", days=[date(2026, 11, 2)])
    catalog.event(org, name="Hidden Camp", shown_on_web=False)
    catalog.event(org, name="Far Camp", location=factories.location(org, position=9))
    html = client.get("/acme/booking/events/").content.decode()
    assert "Holiday Camp" in html
    assert "Mon 21 Dec, Tue 22 Dec" in html
    assert "$90.00" in html and "$50.00" in html and "Ages 5-12" in html
    for hidden in ["Past Camp", "Hidden Camp", "Far Camp"]:
        assert hidden not in html


def test_an_event_lists_its_days_with_openings(client, org):
    event = catalog.event(org, days=[date(2026, 11, 30), date(2027, 3, 15)], capacity_per_day=12)
    html = client.get(f"/acme/booking/events/{event.pk}/").content.decode()
    assert "Mon 15 Mar 2027" in html and "12 openings" in html
    assert "30 Nov" not in html


def test_a_hidden_event_is_a_404(client, org):
    event = catalog.event(org, shown_on_web=False)
    assert client.get(f"/acme/booking/events/{event.pk}/").status_code == 404


def test_parties_show_packages_then_the_open_slots_of_a_day(client, org):
    gym = catalog.party_package(org, name="Gym Party")
    catalog.party_package(org, name="Secret Party", shown_on_web=False)
    catalog.party_slot(org, datetime(2026, 12, 5, 18, tzinfo=UTC), packages=[gym])  # 12pm
    catalog.party_slot(org, datetime(2026, 12, 6, 18, tzinfo=UTC), packages=[gym])
    response = client.get("/acme/booking/parties/?date=2026-12-05")
    html = response.content.decode()
    assert "Gym Party" in html and "Secret Party" not in html
    assert [s.starts_at.day for s in response.context["slots"]] == [5]
    assert "Sat 5 Dec, 12:00 p.m." in html
    assert response.context["dates"] == [date(2026, 12, 5), date(2026, 12, 6)]


def test_the_day_of_a_slot_is_the_locations_day(client, org):
    # 11pm in Chicago on the 5th is the 6th in UTC: the slot belongs to the 5th.
    catalog.party_slot(org, datetime(2026, 12, 6, 5, tzinfo=UTC))
    response = client.get("/acme/booking/parties/?date=2026-12-05")
    assert len(response.context["slots"]) == 1


@pytest.mark.parametrize(
    ("value", "note"),
    [
        ("tomorrow", "That is not a date"),
        ("2026-13-45", "That is not a date"),
        ("x" * 10_000, "That is not a date"),
        ("2020-01-01", "That day has passed"),
        ("9999-12-31", "too far ahead"),
    ],
)
def test_a_bad_party_date_is_explained(client, org, value, note):
    response = client.get("/acme/booking/parties/", {"date": value})
    assert response.status_code == 200
    assert note in response.content.decode()
    assert response.context["day"] == date(2026, 12, 1)


def test_a_party_package_page_lists_its_add_ons(client, org):
    package = catalog.party_package(org, name="Pool Party")
    package.add_ons.create(name="Pizza", price="40.00")
    html = client.get(f"/acme/booking/parties/{package.pk}/").content.decode()
    assert "Pool Party" in html and "Pizza" in html and "$40.00" in html


def test_htmx_swaps_only_the_slots(client, org):
    response = client.get("/acme/booking/parties/?date=2026-12-05", headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="sb-slots"')


def test_without_a_date_the_first_day_with_an_open_slot_is_shown(client, org):
    catalog.party_slot(org, datetime(2026, 12, 12, 18, tzinfo=UTC))
    response = client.get("/acme/booking/parties/")
    assert response.context["day"] == date(2026, 12, 12)
    assert len(response.context["slots"]) == 1

"""Staff edit only their organizations' catalogue; every choice in the forms is scoped."""

from datetime import date

import pytest

from springboard.catalog.models import Course
from springboard.tenancy.models import StaffRole
from tests import factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_staff(org):
    return factories.staff_user(org, StaffRole.STAFF)


def test_course_choices_offer_only_the_staff_members_organization(
    client, org, other_org, acme_staff
):
    catalog.term(org, name="Acme Winter")
    catalog.term(other_org, name="Rival Winter")
    catalog.program(org, name="Acme Tumbling")
    catalog.program(other_org, name="Rival Diving")
    factories.staff_profile(org, name="Coach Acme")
    factories.staff_profile(other_org, name="Coach Rival")
    client.force_login(acme_staff)
    html = client.get("/admin/catalog/course/add/").content.decode()
    for mine in ["Acme Winter", "Acme Tumbling", "Coach Acme", "Main"]:
        assert mine in html
    for theirs in ["Rival Winter", "Rival Diving", "Coach Rival", "Rival Pool"]:
        assert theirs not in html


def test_a_course_cannot_point_at_another_organizations_term(client, org, other_org, acme_staff):
    rival_term = catalog.term(other_org)
    program = catalog.program(org)
    client.force_login(acme_staff)
    response = client.post(
        "/admin/catalog/course/add/",
        {
            "organization": org.pk,
            "name": "Sneaky",
            "program": program.pk,
            "term": rival_term.pk,
            "location": org.location_set.get().pk,
            "monday": "on",
            "start_time": "16:00",
            "end_time": "17:00",
            "min_age_years": 5,
            "min_age_months": 0,
            "max_age_years": 7,
            "max_age_months": 11,
            "gender": "any",
            "capacity": 8,
            "tuition": "80.00",
            "tuition_period": "month",
        },
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Course.objects.filter(name="Sneaky").exists()


def test_staff_add_a_course_for_their_organization(client, org, acme_staff):
    term = catalog.term(org)
    program = catalog.program(org)
    client.force_login(acme_staff)
    response = client.post(
        "/admin/catalog/course/add/",
        {
            "organization": org.pk,
            "name": "Tumble Tots",
            "program": program.pk,
            "term": term.pk,
            "location": org.location_set.get().pk,
            "tuesday": "on",
            "start_time": "16:00",
            "end_time": "16:45",
            "min_age_years": 3,
            "min_age_months": 0,
            "max_age_years": 4,
            "max_age_months": 11,
            "gender": "any",
            "capacity": 8,
            "tuition": "80.00",
            "tuition_period": "month",
        },
    )
    assert response.status_code == 302, response.content
    assert Course.objects.get(name="Tumble Tots").weekdays == [1]


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("term", lambda o: catalog.term(o, name="Rival Term")),
        ("program", lambda o: catalog.program(o, name="Rival Program")),
        ("course", lambda o: catalog.course(o, name="Rival Course")),
        ("event", lambda o: catalog.event(o, name="Rival Event")),
        ("partypackage", lambda o: catalog.party_package(o, name="Rival Party")),
        ("closure", lambda o: catalog.closure(o, date(2027, 1, 1), name="Rival Closure")),
    ],
)
def test_staff_neither_list_nor_open_another_organizations_rows(
    client, org, other_org, acme_staff, path, make
):
    row = make(other_org)
    client.force_login(acme_staff)
    listing = client.get(f"/admin/catalog/{path}/")
    assert listing.status_code == 200
    assert str(row).encode() not in listing.content
    opened = client.get(f"/admin/catalog/{path}/{row.pk}/change/", follow=True)
    assert b"doesn" in opened.content


def test_party_slot_packages_are_scoped(client, org, other_org, acme_staff):
    catalog.party_package(org, name="Acme Party")
    catalog.party_package(other_org, name="Rival Party")
    client.force_login(acme_staff)
    html = client.get("/admin/catalog/partyslot/add/").content.decode()
    assert "Acme Party" in html and "Rival Party" not in html


def test_event_days_are_edited_inline(client, org, acme_staff):
    event = catalog.event(org, days=[date(2027, 3, 15)])
    client.force_login(acme_staff)
    html = client.get(f"/admin/catalog/event/{event.pk}/change/").content.decode()
    assert "2027-03-15" in html


def test_list_filters_name_only_the_staff_members_terms_and_locations(
    client, org, other_org, acme_staff
):
    catalog.course(org, term=catalog.term(org, name="Acme Winter"))
    catalog.course(other_org, term=catalog.term(other_org, name="Rival Winter"))
    catalog.event(other_org)
    client.force_login(acme_staff)
    for path in ["course", "event", "partyslot"]:
        html = client.get(f"/admin/catalog/{path}/").content.decode()
        assert "Rival Winter" not in html and "Rival Pool" not in html, path
    assert "Acme Winter" in client.get("/admin/catalog/course/").content.decode()

"""The pages: Absences of an enrollment, Makeups, Coming Up! with both, and bad input."""

import pytest
import time_machine

from springboard.attendance.models import Absence, Makeup
from springboard.portal.coming_up import coming_up
from tests import family_factories
from tests.attendance.helpers import (
    MONDAY,
    SUNDAY_NOON,
    WEDNESDAY,
    at,
    classes,
    enrolled_family,
    rules,
)
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, client):
    rules(org)
    monday, wednesday = classes(org, capacity=4)
    family, kid, enrollment = enrolled_family(org, monday)
    family_factories.agree_to_everything(family, family.guardians.get().user)
    with time_machine.travel(SUNDAY_NOON, tick=False):
        client.force_login(family.guardians.get().user)
        yield {
            "family": family,
            "kid": kid,
            "enrollment": enrollment,
            "monday": monday,
            "wednesday": wednesday,
        }


def absences_url(enrollment):
    return f"/acme/account/enrollments/{enrollment.pk}/absences/"


def test_a_parent_marks_monday_absent_books_wednesday_and_coming_up_shows_both(client, world):
    page = client.get(absences_url(world["enrollment"]))
    assert page.status_code == 200
    assert "Mark absent on Mon, Jan 11" in page.content.decode()
    response = client.post(
        absences_url(world["enrollment"]), {"action": "absent", "date": MONDAY.isoformat()}
    )
    assert response.status_code == 302
    assert Absence.objects.get().date == MONDAY

    page = client.get("/acme/account/makeups/").content.decode()
    assert "1 makeup credit" in page
    assert "Book makeup: " in page
    response = client.post(
        "/acme/account/makeups/",
        {
            "action": "book",
            "student": world["kid"].pk,
            "course": world["wednesday"].pk,
            "date": WEDNESDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Makeup.objects.get().date == WEDNESDAY

    items = coming_up(world["family"], now=SUNDAY_NOON)
    monday = next(i for i in items if i.starts_at == at(MONDAY, 16))
    wednesday = next(i for i in items if i.starts_at == at(WEDNESDAY, 16))
    assert (monday.status, monday.what) == ("absent", "Monday Tumbling")
    assert (wednesday.status, wednesday.what) == ("makeup", "Wednesday Tumbling")
    dashboard = client.get("/acme/dashboard/").content.decode()
    assert 'data-testid="coming-up-absent"' in dashboard
    assert 'data-testid="coming-up-makeup"' in dashboard
    assert "<s>" in dashboard  # the absent meeting is struck through


def test_coming_up_offers_mark_absent_until_the_cut_off(client, world):
    dashboard = client.get("/acme/dashboard/").content.decode()
    assert "Mark absent: Kid" in dashboard and "Monday Tumbling, Mon, Jan 11" in dashboard
    with time_machine.travel(at(MONDAY, 14, 30), tick=False):  # 2 hours' cut-off passed
        items = coming_up(world["family"], now=at(MONDAY, 14, 30))
    assert not next(i for i in items if i.starts_at == at(MONDAY, 16)).can_mark_absent


def test_marking_absent_from_coming_up_returns_to_the_dashboard(client, world):
    response = client.post(
        absences_url(world["enrollment"]),
        {"action": "absent", "date": MONDAY.isoformat(), "next": "/acme/dashboard/"},
    )
    assert response.status_code == 302 and response.url == "/acme/dashboard/"


def test_undo_on_the_page(client, world):
    client.post(absences_url(world["enrollment"]), {"action": "absent", "date": "2027-01-11"})
    response = client.post(
        absences_url(world["enrollment"]), {"action": "undo", "date": "2027-01-11"}
    )
    assert response.status_code == 302
    assert Absence.objects.get().status == "undone"


def test_another_familys_or_organizations_enrollment_is_a_404(client, org, other_org, world):
    _family, _kid, theirs = enrolled_family(org, world["monday"], last_name="Other")
    assert client.get(absences_url(theirs)).status_code == 404
    data = {"action": "absent", "date": "2027-01-11"}
    assert client.post(absences_url(theirs), data).status_code == 404
    rival_course = catalog.course(other_org)
    _rf, _rk, rival = enrolled_family(other_org, rival_course, last_name="Rival")
    assert client.post(absences_url(rival), data).status_code == 404
    assert (
        client.get(f"/rival/account/enrollments/{world['enrollment'].pk}/absences/").status_code
        == 404
    )
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    "value",
    ["²⁰²⁷-01-11", "٢٠٢٧-٠١-١١", "2027-02-30", "9" * 5000, "", "11/01/2027", "2027-1-11", "x\x00"],
)
def test_a_bad_date_is_a_400_and_marks_nothing(client, world, value):
    response = client.post(absences_url(world["enrollment"]), {"action": "absent", "date": value})
    assert response.status_code == 400
    assert "Choose a class date" in response.content.decode()
    assert not Absence.objects.exists()


def test_a_day_without_a_meeting_or_past_the_cut_off_is_a_message(client, world):
    response = client.post(
        absences_url(world["enrollment"]), {"action": "absent", "date": "2027-01-12"}
    )
    assert response.status_code == 400
    assert "does not meet on" in response.content.decode()
    with time_machine.travel(at(MONDAY, 15), tick=False):
        response = client.post(
            absences_url(world["enrollment"]), {"action": "absent", "date": "2027-01-11"}
        )
    assert response.status_code == 409
    assert "too late" in response.content.decode()
    assert not Absence.objects.exists()


def test_makeups_beyond_the_credits_are_a_message(client, world):
    data = {
        "action": "book",
        "student": world["kid"].pk,
        "course": world["wednesday"].pk,
        "date": WEDNESDAY.isoformat(),
    }
    response = client.post("/acme/account/makeups/", data)
    assert response.status_code == 409
    assert "no makeup credit left" in response.content.decode()
    assert not Makeup.objects.exists()


@pytest.mark.parametrize("field", ["student", "course"])
@pytest.mark.parametrize("value", ["²", "9" * 40, "", "-1", "99999999"])
def test_a_bad_or_foreign_id_is_a_404(client, world, field, value):
    data = {
        "action": "book",
        "student": world["kid"].pk,
        "course": world["wednesday"].pk,
        "date": WEDNESDAY.isoformat(),
        field: value,
    }
    assert client.post("/acme/account/makeups/", data).status_code == 404


def test_another_familys_student_or_another_organizations_class_is_a_404(
    client, org, other_org, world
):
    other = family_factories.student(family_factories.family(org, last_name="Other"))
    rival = catalog.course(other_org, wednesday=True)
    base = {
        "action": "book",
        "student": world["kid"].pk,
        "course": world["wednesday"].pk,
        "date": "2027-01-13",
    }
    assert client.post("/acme/account/makeups/", {**base, "student": other.pk}).status_code == 404
    assert client.post("/acme/account/makeups/", {**base, "course": rival.pk}).status_code == 404


def test_a_bad_action_is_a_400(client, world):
    assert client.post("/acme/account/makeups/", {"action": "x" * 5000}).status_code == 400
    assert (
        client.post(
            absences_url(world["enrollment"]), {"action": "²", "date": "2027-01-11"}
        ).status_code
        == 400
    )


def test_my_account_links_absences_and_makeups_only_where_offered(client, org, world):
    page = client.get("/acme/account/").content.decode()
    assert f"Absences Monday Tumbling ({world['kid'].first_name})" in page
    assert 'data-testid="makeups-link"' in page
    org.attendancerules_set.update(absences_online=False)
    page = client.get("/acme/account/").content.decode()
    assert "/absences/" not in page and 'data-testid="makeups-link"' not in page


def test_coming_up_queries_do_not_grow_with_absences_and_makeups(
    client, world, django_assert_max_num_queries
):
    from springboard.attendance import services

    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    services.book_makeup(
        world["kid"], world["wednesday"], WEDNESDAY, family=world["family"], now=SUNDAY_NOON
    )
    with django_assert_max_num_queries(7):
        coming_up(world["family"], now=SUNDAY_NOON)

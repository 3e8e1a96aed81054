"""Staff see who is waiting and switch the room off, for their own organization only."""

from datetime import timedelta

import pytest

from springboard.booking.models import CartItem
from springboard.tenancy.models import StaffRole
from springboard.waitingroom.models import WaitingRoom
from tests import factories
from tests.waitingroom.conftest import OPENS

pytestmark = pytest.mark.django_db


def test_staff_see_who_is_waiting_and_switch_the_room_off(
    clock, client, org, room, course, family, logged_in
):
    from django.test import Client

    logged_in.get(f"/acme/waiting-room/?term={course.term_id}")
    staff = Client()
    staff.force_login(factories.staff_user(org, role=StaffRole.OWNER))
    page = staff.get(f"/admin/waitingroom/waitingroom/{room.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Arrived: 1 · waiting: 1 · admitted: 0" in html
    assert "The Rivera Family" in html and "lottery at opening" in html

    clock.move_to(OPENS + timedelta(seconds=1))
    answer = staff.post(
        f"/admin/waitingroom/waitingroom/{room.pk}/change/",
        {
            "organization": org.pk,
            "admissions_per_minute": 60,
            "pass_minutes": 20,
            "opens_window_minutes": 30,
            "rush_minutes": 60,
        },  # is_on unticked
    )
    assert answer.status_code == 302
    room.refresh_from_db()
    assert not room.is_on
    # Off: families book at once, and a waiting page's refresh says so (it reloads).
    status = logged_in.get(f"/acme/waiting-room/?term={course.term_id}")
    assert "There is no waiting right now" in status.content.decode()
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk}
    )
    assert response["Location"] == "/acme/cart/"
    assert CartItem.objects.count() == 1


def test_the_refresh_learns_that_staff_switched_the_room_off(clock, org, room, course, logged_in):
    import re

    from django.test import Client

    page = logged_in.get(f"/acme/waiting-room/?term={course.term_id}").content.decode()
    url = re.search(r'data-status-url="([^"]+)"', page)[1]
    assert logged_in.get(url).json()["state"] == "before"
    staff = Client()
    staff.force_login(factories.staff_user(org, role=StaffRole.OWNER))
    staff.post(
        f"/admin/waitingroom/waitingroom/{room.pk}/change/",
        {
            "organization": org.pk,
            "admissions_per_minute": 60,
            "pass_minutes": 20,
            "opens_window_minutes": 30,
            "rush_minutes": 60,
        },
    )
    assert logged_in.get(url).json()["state"] == "off"


def test_another_organizations_waiting_room_is_a_404_for_staff(client, org, other_org, room):
    rival = WaitingRoom.objects.create(organization=other_org)
    client.force_login(factories.staff_user(org, role=StaffRole.OWNER))
    assert client.get(f"/admin/waitingroom/waitingroom/{room.pk}/change/").status_code == 200
    assert client.get(f"/admin/waitingroom/waitingroom/{rival.pk}/change/").status_code in (
        302,
        404,
    )
    listing = client.get("/admin/waitingroom/waitingroom/").content.decode()
    assert other_org.name not in listing

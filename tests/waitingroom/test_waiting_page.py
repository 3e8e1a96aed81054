"""The waiting page, its cache-only refresh and the gate on adding a class of a term in its
opening (docs/booking.md, "Waiting room")."""

import re
from datetime import datetime, timedelta

import pytest
from django.core import signing
from django.core.cache import cache

from springboard.booking.models import CartItem
from springboard.waitingroom import passes
from tests.waitingroom.conftest import OPENS, hand_pass

pytestmark = pytest.mark.django_db


def add(client, course, student):
    return client.post("/acme/cart/add/class/", {"course": course.pk, "student": student.pk})


def waiting_page(client, course):
    return client.get(f"/acme/waiting-room/?term={course.term_id}&course={course.pk}")


def status_url(response) -> str:
    return re.search(r'data-status-url="([^"]+)"', response.content.decode())[1]


def test_before_the_opening_adding_a_class_leads_to_the_waiting_room(
    clock, room, course, family, logged_in
):
    response = add(logged_in, course, family[1])
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/waiting-room/?term=")
    assert not CartItem.objects.exists()

    page = logged_in.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    # The opening in the location's zone (Chicago: 3:10 PM on Tuesday 1 December).
    assert "Tuesday 1 December 2026, 3:10 PM" in html and "America/Chicago" in html
    # A countdown countdown.js runs, labelled; a polite live region for the family's status.
    assert re.search(r'role="timer" aria-labelledby="countdown-label"', html)
    expires = re.search(r'data-expires-at="([^"]+)"', html)[1]
    assert datetime.fromisoformat(expires) == OPENS
    assert ">10:00</span>" in html
    assert re.search(r'role="status" aria-live="polite"', html)
    assert "lottery" in html
    assert "Accept the policies" in html and "Add your students" in html
    assert "portal/waitingroom.js" in html


def test_a_location_in_another_zone_shows_the_opening_in_its_own_time(
    clock, org, room, course, logged_in
):
    course.location.time_zone = "America/New_York"
    course.location.save()
    html = waiting_page(logged_in, course).content.decode()
    assert "Tuesday 1 December 2026, 4:10 PM" in html and "America/New_York" in html


def test_the_refresh_reads_no_database(clock, room, course, logged_in, django_assert_num_queries):
    url = status_url(waiting_page(logged_in, course))
    with django_assert_num_queries(0):
        before = logged_in.get(url)
    assert before.json()["state"] == "before"
    assert before.json()["opens_in"] == 600

    clock.move_to(OPENS + timedelta(seconds=1))
    with django_assert_num_queries(0):
        opened = logged_in.get(url).json()
    assert opened["state"] == "admitted"  # the only family, first batch
    assert opened["place"] == 1


def test_once_admitted_a_family_holds_a_pass_and_may_add(clock, room, course, family, logged_in):
    waiting_page(logged_in, course)  # arrives before the opening
    clock.move_to(OPENS + timedelta(seconds=1))
    page = waiting_page(logged_in, course)
    assert page.status_code == 200
    assert "It is your turn" in page.content.decode()
    assert passes.PASS_COOKIE in page.cookies

    response = add(logged_in, course, family[1])
    assert response["Location"] == "/acme/cart/"
    assert CartItem.objects.filter(family=family[0]).count() == 1


def test_families_wait_their_turn_and_see_their_place(clock, org, room, course):
    from django.test import Client

    from tests.waitingroom.conftest import make_family

    room.admissions_per_minute = 6  # one family every 10 seconds
    room.save()
    clients = []
    for i in range(4):
        fam, _student = make_family(org, last_name=f"Family{i}")
        client = Client()
        client.force_login(fam.guardians.get().user)
        waiting_page(client, course)
        clients.append(client)
    clock.move_to(OPENS)
    places = []
    for client in clients:
        answer = client.get(status_url(waiting_page(client, course))).json()
        places.append(answer["place"])
        if answer["place"] > 1:
            assert answer["state"] == "waiting"
            assert answer["wait"] == (answer["place"] - 1) * 10
            assert "Your place in line" in answer["message"]
    assert sorted(places) == [1, 2, 3, 4]


def test_an_expired_pass_sends_the_family_back_to_the_queue(clock, room, course, family, logged_in):
    clock.move_to(OPENS)
    waiting_page(logged_in, course)
    clock.move_to(OPENS + timedelta(minutes=20, seconds=1))
    response = add(logged_in, course, family[1])
    assert response["Location"].startswith("/acme/waiting-room/")
    assert not CartItem.objects.exists()
    # Back in the queue with a new ticket (admitted again here: nobody else is waiting).
    page = waiting_page(logged_in, course)
    assert "It is your turn" in page.content.decode()
    assert add(logged_in, course, family[1])["Location"] == "/acme/cart/"


def test_a_forged_pass_is_no_pass(clock, room, course, family, logged_in):
    clock.move_to(OPENS + timedelta(seconds=1))
    waiting_page(logged_in, course)
    real = logged_in.cookies[passes.PASS_COOKIE].value
    data = signing.loads(real, salt=passes.PASS_SALT)
    data["x"] += 3600  # a longer pass, signed with a guessed key
    logged_in.cookies[passes.PASS_COOKIE] = signing.dumps(
        data, key="guessed", salt=passes.PASS_SALT
    )
    response = add(logged_in, course, family[1])
    assert response["Location"].startswith("/acme/waiting-room/")
    # Someone else's genuine pass does not work for this browser either.
    hand_pass(logged_in, room.organization_id, waiter="someone-else")
    assert add(logged_in, course, family[1])["Location"].startswith("/acme/waiting-room/")
    assert not CartItem.objects.exists()


def test_a_pass_of_another_organization_is_a_404(clock, room, course, family, logged_in, other_org):
    clock.move_to(OPENS + timedelta(seconds=1))
    hand_pass(logged_in, other_org.pk)
    assert add(logged_in, course, family[1]).status_code == 404
    assert not CartItem.objects.exists()


def test_switched_off_there_is_no_gate(clock, room, course, family, logged_in):
    room.is_on = False
    room.save()
    clock.move_to(OPENS + timedelta(seconds=1))
    assert add(logged_in, course, family[1])["Location"] == "/acme/cart/"
    assert "There is no waiting right now" in waiting_page(logged_in, course).content.decode()


def test_without_a_waiting_room_or_outside_the_opening_there_is_no_gate(
    clock, org, course, family, logged_in
):
    clock.move_to(OPENS + timedelta(seconds=1))
    assert add(logged_in, course, family[1])["Location"] == "/acme/cart/"

    from springboard.waitingroom.models import WaitingRoom

    WaitingRoom.objects.create(organization=org, rush_minutes=60)
    CartItem.objects.all().delete()
    clock.move_to(OPENS + timedelta(minutes=61))
    assert add(logged_in, course, family[1])["Location"] == "/acme/cart/"


def test_the_class_page_points_to_the_waiting_room(clock, room, course, logged_in):
    html = logged_in.get(f"/acme/booking/classes/{course.pk}/").content.decode()
    assert 'data-testid="waiting-room-notice"' in html


def test_hammering_the_refresh_is_rate_limited(clock, room, course, logged_in):
    url = status_url(waiting_page(logged_in, course))
    answers = [logged_in.get(url).status_code for _ in range(121)]
    assert answers[:120] == [200] * 120
    assert answers[120] == 429


def test_a_tampered_ticket_is_a_404(clock, room, course, logged_in):
    url = status_url(waiting_page(logged_in, course))
    assert logged_in.get(url[:-3] + "xyz/").status_code in (404,)
    assert cache.get("nothing") is None


def test_hammering_the_waiting_page_is_rate_limited_and_keeps_the_place(
    clock, room, course, logged_in
):
    first = waiting_page(logged_in, course)
    answers = [waiting_page(logged_in, course) for _ in range(60)]
    assert [a.status_code for a in answers[:59]] == [200] * 59
    assert answers[59].status_code == 429
    assert answers[59]["Retry-After"]
    # The same arrival number throughout: coming back keeps the place.
    numbers = {
        passes.read_ticket(status_url(page).split("/")[-2]).number for page in (first, answers[58])
    }
    assert numbers == {1}


def test_the_gate_reads_the_settings_from_the_cache(
    clock, org, room, course, django_assert_num_queries
):
    from springboard.waitingroom import services

    with django_assert_num_queries(0):  # published when the room was saved
        assert services.rush_for_term(org, course.term, now=OPENS) is not None
    room.is_on = False
    room.save()
    with django_assert_num_queries(0):
        assert services.rush_for_term(org, course.term, now=OPENS) is None
    room.delete()
    cache.clear()
    with django_assert_num_queries(1):  # a miss reads the row once, then publishes
        assert services.rush_for_term(org, course.term, now=OPENS) is None
    with django_assert_num_queries(0):
        assert services.rush_for_term(org, course.term, now=OPENS) is None

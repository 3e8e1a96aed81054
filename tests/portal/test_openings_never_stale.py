"""Openings on the classes list are never stale (issue 17, item 4): with the page caches on
(as in production, with or without the shared cache), a seat held, ordered, released or
expired a moment ago shows at once, because the cards come from the shared cache and their
openings from each request's one grouped query; a course edit shows at once too (a card's
key is a digest of what it shows); and the page's queries do not grow with the courses,
cached or not."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from springboard.booking import services as booking
from springboard.checkout import services as checkout
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog
from tests.helpers import queries_for
from tests.portal.test_booking_queries import add_courses

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CLASSES = "/acme/booking/classes/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True, params=[False, True], ids=["local-cache", "shared-cache"])
def _page_caches_on(request, settings):
    """As in production: the page caches on; with a shared cache the whole page is kept
    but for its openings (portal.classes_page), and every test here holds for both."""
    settings.CATALOG_PAGE_CACHE_SECONDS = 30
    settings.SHARED_CACHE = request.param
    cache.clear()
    yield
    cache.clear()


def badges(client) -> list[str]:
    html = client.get(CLASSES).content.decode()
    return re.findall(r'data-testid="openings">([^<]*)<', html)


def test_every_seat_taken_or_given_back_shows_on_the_list_at_once(client, org, clock):
    course = catalog.course(org, capacity=2)
    assert badges(client) == ["2 openings"]
    assert badges(client) == ["2 openings"]  # the card is cached now; its openings are not
    first, first_kid = make_family(org, last_name="First")
    booking.add_course(family=first, students=[first_kid], course=course, now=NOW)  # a hold
    assert badges(client) == ["1 opening"]
    order = checkout.start_checkout(family=first, user=None, now=NOW)  # a pending order
    assert badges(client) == ["1 opening"]
    second, second_kid = make_family(org, last_name="Second")
    booking.add_course(family=second, students=[second_kid], course=course, now=NOW)
    assert badges(client) == ["FULL — waitlist"]
    checkout.cancel_order(order=order, now=NOW)  # a seat given back
    assert badges(client) == ["1 opening"]
    clock.shift(timedelta(minutes=booking.hold_minutes(org) + 1))  # the hold runs out
    assert badges(client) == ["2 openings"]


def test_a_filtered_list_shows_each_seat_taken_at_once_whichever_filters(client, org, settings):
    """The filtered lists read their page's openings after the courses (one prepared query)
    or, with "with openings" on, in the courses' own query: both are this request's answer."""
    course = catalog.course(org, capacity=1, name="Tumble tots")
    catalog.course(org, capacity=5, name="Other class", tuesday=True, monday=False)
    org.portal_settings.class_filters = ["day", "openings"]
    org.portal_settings.save()
    monday, with_openings = "?day=0", "?openings=on"

    def shown(query):
        html = client.get(CLASSES + query).content.decode()
        names = re.findall(r'data-testid="course">.*?<a [^>]*>([^<]*)</a>', html, re.S)
        return names, re.findall(r'data-testid="openings">([^<]*)<', html)

    assert shown(monday) == (["Tumble tots"], ["1 opening"])
    assert "Tumble tots" in shown(with_openings)[0]
    family, kid = make_family(org)
    booking.add_course(family=family, students=[kid], course=course, now=NOW)  # the last seat
    assert shown(monday) == (["Tumble tots"], ["FULL — waitlist"])
    assert shown(with_openings) == (["Other class"], ["5 openings"])


def test_a_course_edit_shows_at_once_and_other_courses_keep_their_cached_cards(client, org):
    course = catalog.course(org, name="Tumble Tots")
    catalog.course(org, name="Ninja")
    assert "Tumble Tots" in client.get(CLASSES).content.decode()
    course.name = "Tumble Stars"
    course.save()
    page = client.get(CLASSES).content.decode()
    assert "Tumble Stars" in page and "Tumble Tots" not in page and "Ninja" in page
    program = course.program
    program.name = "Acrobatics"
    program.save()
    assert "Acrobatics" in client.get(CLASSES).content.decode()


def test_the_cached_list_runs_the_same_queries_for_20_and_2000_courses(client, org):
    url = CLASSES + "?openings=on&page=2"
    add_courses(org, 40)
    client.get(url)  # warm the cards
    few = queries_for(client, url)
    add_courses(org, 1960)
    client.get(url)
    assert queries_for(client, url) == few

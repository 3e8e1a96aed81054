"""The classes page kept in the shared cache but for its openings (portal.classes_page): a
kept page costs the openings' read alone, and every edit of what it shows is on the next
request (the catalogue's and the organizations' versions, catalog.cached and
tenancy.cached); queries that are not plain are never kept."""

import re

import pytest
from django.core.cache import cache

from springboard.booking import services as booking
from springboard.catalog.models import Level
from tests import factories
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog
from tests.helpers import queries_for
from tests.portal.test_openings_never_stale import CLASSES, clock  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    settings.CATALOG_PAGE_CACHE_SECONDS = 30
    settings.SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


def cards(client, url=CLASSES) -> list[tuple[str, str]]:
    """(what each card says, its openings) in the list's order."""
    html = client.get(url).content.decode()
    found = re.findall(
        r'data-testid="course">(.*?)data-testid="openings">([^<]*)<(.*?)</li>', html, re.S
    )
    return [
        (re.sub(r"<[^>]+>|\s+", " ", before + after).strip(), badge)
        for before, badge, after in found
    ]


def test_a_kept_page_runs_the_openings_read_only(client, org):
    for n in range(3):
        catalog.course(org, name=f"Class {n}")
    built = queries_for(client, CLASSES)
    assert queries_for(client, CLASSES) == 1 < built  # the openings (the terms are kept too)
    assert queries_for(client, CLASSES + "?day=0&age=5") < built + 2
    assert queries_for(client, CLASSES + "?day=0&age=5") == 1


def test_each_term_s_page_is_kept_and_an_unknown_term_is_still_a_404(client, org):
    winter = catalog.course(org, name="Winter class").term
    spring = catalog.term(org, name="Spring", start_date=winter.end_date)
    catalog.course(org, name="Spring class", term=spring, program=winter.course_set.get().program)
    for _ in range(2):
        assert [card.split()[0] for card, _b in cards(client)] == ["Winter"]
        spring_page = cards(client, f"{CLASSES}?term={spring.pk}")
        assert [card.split()[0] for card, _b in spring_page] == ["Spring"]
    assert queries_for(client, f"{CLASSES}?term={spring.pk}") == 1
    assert client.get(f"{CLASSES}?term={spring.pk + 1000}").status_code == 404


def test_a_kept_page_shows_each_seat_taken_at_once(client, org):
    course = catalog.course(org, capacity=2, name="Tumble Tots")
    assert [badge for _card, badge in cards(client)] == ["2 openings"]
    family, kid = make_family(org)
    booking.add_course(family=family, students=[kid], course=course, now=NOW)
    assert [badge for _card, badge in cards(client)] == ["1 opening"]
    org.portal_settings.openings_display = "open_full"
    org.portal_settings.save()
    assert [badge for _card, badge in cards(client)] == ["OPEN"]


def test_every_edit_of_what_the_page_shows_is_on_the_next_request(client, org):
    coach = factories.staff_profile(org, name="Coach Ana")
    course = catalog.course(org, name="Tumble Tots")
    course.instructors.add(coach)
    level = Level.objects.create(organization=org, name="Beginner")

    def first_card() -> str:
        return cards(client)[0][0]

    assert "Tumble Tots" in first_card() and "Coach Ana" in first_card()
    course.name = "Tumble Stars"
    course.save()
    assert "Tumble Stars" in first_card()
    course.program.name = "Acrobatics"
    course.program.save()
    assert "Acrobatics" in first_card()
    coach.name = "Coach Bea"
    coach.save()
    assert "Coach Bea" in first_card()
    course.instructors.remove(coach)
    assert "Coach Bea" not in first_card()
    coach.courses.add(course)  # from the staff profile's side
    assert "Coach Bea" in first_card()
    course.level = level
    course.save()
    assert "Beginner" in first_card()
    level.name = "Advanced"
    level.save()
    assert "Advanced" in first_card()
    newcomer = catalog.course(org, name="Aardvarks", term=course.term, program=course.program)
    assert [card.split()[0] for card, _badge in cards(client)] == ["Aardvarks", "Tumble"]
    newcomer.shown_on_web = False
    newcomer.save()
    assert len(cards(client)) == 1
    newcomer.delete()
    course.term.name = "Winter Splash"
    course.term.save()
    assert "Winter Splash" in client.get(CLASSES).content.decode()
    location = org.location_set.get()
    location.name = "Riverside"
    location.save()
    assert "Riverside" in client.get(CLASSES).content.decode()


def test_a_filter_switched_on_shows_at_once(client, org):
    catalog.course(org, name="Tumble Tots")
    org.portal_settings.class_filters = []
    org.portal_settings.save()
    assert 'name="day"' not in client.get(CLASSES).content.decode()
    org.portal_settings.class_filters = ["day"]
    org.portal_settings.save()
    assert 'name="day"' in client.get(CLASSES).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?q=tumble",  # free text
        "?openings=on",  # a list that depends on the openings
        "?utm_source=mail",  # a name the page does not know
        "?day=0&day=0",  # a name given twice
        "?day=9",  # ignored, with a note
        "?page=7",  # not the page shown (there is one)
    ],
)
def test_queries_that_are_not_plain_are_answered_and_never_kept(client, org, query):
    org.portal_settings.class_filters = ["day", "openings", "search"]
    org.portal_settings.save()
    catalog.course(org, name="Tumble Tots", monday=True)
    client.get(CLASSES + query)  # the other caches warmed (the organization, the cards)
    first = queries_for(client, CLASSES + query)
    assert queries_for(client, CLASSES + query) == first > 2
    assert not [key for key in cache._cache if "classes-page:" in key]  # noqa: SLF001


def test_without_a_shared_cache_nothing_is_kept(client, org, settings):
    settings.SHARED_CACHE = False
    catalog.course(org, name="Tumble Tots")
    client.get(CLASSES)
    first = queries_for(client, CLASSES)
    assert queries_for(client, CLASSES) == first > 2


def test_courses_the_demo_bulk_creates_show_on_the_next_request(client, org):
    """bulk_create sends no post_save: the demo's loader bumps the catalogue's version."""
    from datetime import time

    from springboard.demo import catalog as demo_catalog

    course = catalog.course(org, name="Tumble Tots")
    assert len(cards(client)) == 1
    kind = ("Aardvarks", (0, 6), (17, 11), "any", None, 45)
    plan = [(0, time(9, 0), kind, demo_catalog.GYMNASTICS, 8)]
    programs = {demo_catalog.GYMNASTICS: course.program}
    demo_catalog._courses(org, course.term, course.location, plan, programs, {}, {})
    assert [card.split()[0] for card, _badge in cards(client)] == ["Aardvarks", "Tumble"]

"""The waiting page that issues the pass (portal/views/waitingroom.py): it reads the room's
published settings (waitingroom/published.py), not its row, and the window's terms in one
query; another organization's class, term or pass gets nothing of it."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from springboard.booking.models import CartItem
from springboard.waitingroom import passes, rules
from springboard.waitingroom.models import WaitingRoom
from tests.catalog import factories as catalog
from tests.waitingroom.conftest import OPENS, hand_pass, make_family
from tests.waitingroom.test_waiting_page import add, status_url, waiting_page

pytestmark = pytest.mark.django_db

# The tests' stack (no shared cache: the organization, session, login, family and its
# policies read from the database; with Redis they come from the cache), then the page's own:
# the class, the window's terms (one query), the chrome's cart count and locations.
PASS_PAGE_QUERIES = 9


def test_the_pass_page_reads_no_room_row_and_the_terms_once(clock, room, course, logged_in):
    waiting_page(logged_in, course)
    clock.move_to(OPENS + timedelta(seconds=1))
    with CaptureQueriesContext(connection) as captured:
        page = waiting_page(logged_in, course)
    assert "It is your turn" in page.content.decode()
    assert passes.PASS_COOKIE in page.cookies
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == PASS_PAGE_QUERIES, "\n".join(q[:160] for q in sql)
    assert not [q for q in sql if "waitingroom_waitingroom" in q]  # the published settings
    assert len([q for q in sql if 'FROM "catalog_term"' in q]) == 1


def test_with_the_shared_cache_the_pass_page_runs_3_queries(clock, room, course, settings, client):
    """As in production (bench/room_refresh.py): the organization, session, login, family and
    its policies from the shared cache (local memory in one process looks the same to one
    worker), then the class's zone, the window's terms and the chrome's cart count."""
    settings.SHARED_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    family, _student = make_family(room.organization, last_name="Shared")
    client.force_login(family.guardians.get().user)
    waiting_page(client, course)  # arrives, and warms the cache's lookups
    clock.move_to(OPENS + timedelta(seconds=1))
    with CaptureQueriesContext(connection) as captured:
        page = waiting_page(client, course)
    assert passes.PASS_COOKIE in page.cookies
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == 3, "\n".join(q[:160] for q in sql)
    assert ['"catalog_course"' in sql[0], '"catalog_term"' in sql[1]] == [True, True]


def test_the_pass_page_costs_the_same_with_more_terms_and_classes_in_the_window(
    clock, org, room, course, logged_in, django_assert_num_queries
):
    for n in range(4):
        term = catalog.term(org, name=f"Spring {n}", enrollment_opens_at=OPENS)
        catalog.course(org, term=term, name=f"Class {n}")
    catalog.term(org, name="Later", enrollment_opens_at=OPENS + timedelta(minutes=5))
    waiting_page(logged_in, course)
    clock.move_to(OPENS + timedelta(seconds=1))
    with django_assert_num_queries(PASS_PAGE_QUERIES):
        page = waiting_page(logged_in, course)
    html = page.content.decode()
    assert passes.PASS_COOKIE in page.cookies
    # The opening's terms, named in the heading; the later opening's term is not among them.
    assert "Winter" in html and "Spring 3" in html and "Later" not in html


def test_the_waiting_page_follows_the_published_settings(clock, room, course, logged_in):
    clock.move_to(OPENS + timedelta(seconds=1))
    room.is_on = False
    room.save()  # published by the save
    assert "There is no waiting right now" in waiting_page(logged_in, course).content.decode()
    room.is_on = True
    room.save()
    cache.delete(f"{rules.PREFIX}:settings:{room.organization_id}")  # a miss reads the row
    assert "It is your turn" in waiting_page(logged_in, course).content.decode()


def test_another_organizations_class_on_the_waiting_page_is_a_404(
    clock, room, course, logged_in, other_org
):
    WaitingRoom.objects.create(organization=other_org)
    theirs = catalog.course(
        other_org,
        term=catalog.term(other_org, name="Rival Winter", enrollment_opens_at=OPENS),
        name="Rival Tadpoles",
    )
    clock.move_to(OPENS + timedelta(seconds=1))
    response = logged_in.get(f"/acme/waiting-room/?term={theirs.term_id}&course={theirs.pk}")
    assert response.status_code == 404
    assert passes.PASS_COOKIE not in response.cookies
    # Their term alone is not this organization's opening: the page shows its own.
    page = logged_in.get(f"/acme/waiting-room/?term={theirs.term_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rival Winter" not in html and "Winter" in html


def test_a_pass_of_another_organization_after_the_pass_page_is_a_404(
    clock, room, course, family, logged_in, other_org
):
    waiting_page(logged_in, course)
    clock.move_to(OPENS + timedelta(seconds=1))
    assert passes.PASS_COOKIE in waiting_page(logged_in, course).cookies
    WaitingRoom.objects.create(organization=other_org)
    hand_pass(logged_in, other_org.pk)
    assert add(logged_in, course, family[1]).status_code == 404
    assert not CartItem.objects.exists()


def ticket_number(page) -> int:
    return passes.read_ticket(status_url(page).split("/")[-2]).number


def test_the_pass_page_never_admits_a_spent_ticket_twice(clock, org, room, course, logged_in):
    waiting_page(logged_in, course)
    clock.move_to(OPENS + timedelta(seconds=1))
    first = waiting_page(logged_in, course)
    assert passes.PASS_COOKIE in first.cookies
    other, _student = make_family(org, last_name="Later")
    later = Client()
    later.force_login(other.guardians.get().user)
    waiting_page(later, course)  # arrives while the pass runs
    clock.move_to(OPENS + timedelta(minutes=20, seconds=2))  # the pass has expired
    again = waiting_page(logged_in, course)
    assert ticket_number(again) > ticket_number(first)  # a new arrival, behind the later one

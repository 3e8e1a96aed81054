"""A hold expires: the seat returns, the next family on the waitlist is offered it by email,
claims it through the link, or lets it lapse to the family after."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from springboard.booking import services, waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.locking import BookingError
from springboard.booking.models import CartItem, WaitlistStatus
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


def _left(course) -> int:
    return course_openings(Course.objects.get(pk=course.pk), now=timezone.now()).left


def _unheld(course) -> int:
    return course_openings(Course.objects.get(pk=course.pk), now=timezone.now()).unheld


@pytest.fixture
def full_course_with_a_waitlist(org, clock):
    course = catalog.course(org, capacity=1)
    holder, kid = make_family(org, last_name="Holder")
    services.add_course(family=holder, students=[kid], course=course, now=NOW)
    waiting = []
    for number, name in enumerate(["Next", "After"]):
        family, student = make_family(org, last_name=name)
        joined = NOW + timedelta(minutes=number + 1)
        waitlist.join(family=family, student=student, course=course, now=joined)
        waiting.append(family)
    return course, waiting


def _offer_link(message) -> str:
    return re.search(r"http://localhost:8000(/acme/waitlist/offers/[\w-]+/)", message.body)[1]


def test_the_seat_returns_and_is_offered_to_the_next_family(
    client, full_course_with_a_waitlist, clock, django_capture_on_commit_callbacks
):
    course, (first, second) = full_course_with_a_waitlist
    assert _left(course) == 0
    clock.move_to(NOW + timedelta(minutes=16))
    # Expiry is read, not swept: the seat is free, yet promised to the waitlist (no opening).
    assert _unheld(course) == 1
    assert _left(course) == 0
    with django_capture_on_commit_callbacks(execute=True):
        sweep_holds_and_offers(NOW + timedelta(minutes=16))
    assert _left(course) == 0  # the offer holds it
    assert [m.to for m in mail.outbox] == [[first.email]]
    link = _offer_link(mail.outbox[0])

    client.force_login(first.guardians.get().user)
    assert "Put the seat in my cart" in client.get(link).content.decode()
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    item = CartItem.objects.get(family=first)
    assert item.expires_at == NOW + timedelta(minutes=16, hours=24)
    assert _left(course) == 0
    # The link is spent.
    assert "This offer has ended" in client.get(link).content.decode()


def test_a_lapsed_offer_goes_to_the_family_after(
    client, full_course_with_a_waitlist, clock, django_capture_on_commit_callbacks
):
    course, (first, second) = full_course_with_a_waitlist
    later = NOW + timedelta(minutes=16)
    clock.move_to(later)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_holds_and_offers(later)
    first_link = _offer_link(mail.outbox[0])
    lapse = later + timedelta(hours=24)
    clock.move_to(lapse)
    assert _unheld(course) == 1  # lapsed on read (promised to the family after)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("housekeeping")
    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]
    assert first.waitlist_entries.get().status == WaitlistStatus.LAPSED
    client.force_login(first.guardians.get().user)
    assert client.post(first_link).status_code == 302  # refused with a message
    assert not CartItem.objects.filter(family=first).exists()
    client.force_login(second.guardians.get().user)
    client.post(_offer_link(mail.outbox[1]))
    assert CartItem.objects.filter(family=second).holding(lapse).count() == 1


def test_a_waiting_family_comes_before_a_newcomer(org, full_course_with_a_waitlist, clock):
    course, _ = full_course_with_a_waitlist
    clock.move_to(NOW + timedelta(minutes=16))
    newcomer, kid = make_family(org, last_name="Newcomer")
    with pytest.raises(BookingError, match="full"):
        services.add_course(
            family=newcomer, students=[kid], course=course, now=NOW + timedelta(minutes=16)
        )


def test_joining_a_class_with_openings_is_refused(org, clock):
    course = catalog.course(org, capacity=3)
    family, kid = make_family(org)
    with pytest.raises(BookingError, match="has openings"):
        waitlist.join(family=family, student=kid, course=course, now=NOW)


def test_positions_count_the_families_ahead(org, full_course_with_a_waitlist):
    course, (first, second) = full_course_with_a_waitlist
    assert [e.ahead or 0 for e in waitlist.entries_of(second, NOW)] == [1]
    assert [e.ahead or 0 for e in waitlist.entries_of(first, NOW)] == [0]


def test_a_seat_freed_for_the_waitlist_is_not_offered_to_newcomers_on_the_page(
    client, org, full_course_with_a_waitlist, clock
):
    course, _ = full_course_with_a_waitlist
    clock.move_to(NOW + timedelta(minutes=16))
    newcomer, _ = make_family(org, last_name="Newcomer")
    client.force_login(newcomer.guardians.get().user)
    page = client.get(f"/acme/booking/classes/{course.pk}/").content.decode()
    assert "Join waitlist" in page
    assert "Add to cart" not in page


def test_an_offer_for_a_student_already_holding_the_class_is_refused(
    org, full_course_with_a_waitlist, clock
):
    course, (first, _) = full_course_with_a_waitlist
    later = NOW + timedelta(minutes=16)
    clock.move_to(later)
    [entry] = waitlist.offer_seats(course, now=later)
    CartItem.objects.create(
        organization=org,
        family=first,
        kind="course",
        student=entry.student,
        course=course,
        added_at=later,
        expires_at=later + timedelta(minutes=15),
    )
    with pytest.raises(BookingError, match="already has"):
        waitlist.claim(family=first, entry=entry, now=later)

""" "Openings" means one thing everywhere: capacity minus the places taken minus the families
waiting (they come first). The classes list, the detail badge, the "only with openings"
filter, the add to cart and the waitlist all answer the same."""

from datetime import timedelta

import pytest

from springboard.booking import services, waitlist
from springboard.booking.locking import BookingError
from springboard.catalog.availability import course_openings, with_course_places_taken
from springboard.catalog.models import Course
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(minutes=16)  # the holder's hold has run out; nobody swept yet


@pytest.fixture
def freed_seat_promised_to_the_waitlist(org, clock):
    """Capacity 2: one seat taken for good, one held then freed, one family waiting."""
    course = catalog.course(org, capacity=2, waitlist_allowed=True)
    for name in ("Early", "Holder"):
        family, kid = make_family(org, last_name=name)
        [item] = services.add_course(family=family, students=[kid], course=course, now=NOW)
        if name == "Early":  # keeps its seat past LATER
            services.CartItem.objects.filter(pk=item.pk).update(expires_at=NOW + timedelta(days=1))
    waiter, waiting_kid = make_family(org, last_name="Waiter")
    waitlist.join(family=waiter, student=waiting_kid, course=course, now=NOW)
    clock.move_to(LATER)
    return course


def _annotated(course, now=LATER):
    return with_course_places_taken(Course.objects.filter(pk=course.pk), now=now).get()


def test_a_seat_promised_to_a_waiting_family_is_no_opening_anywhere(
    client, org, freed_seat_promised_to_the_waitlist
):
    course = freed_seat_promised_to_the_waitlist
    openings = course_openings(_annotated(course), now=LATER)
    assert openings.full and openings.left == 0
    assert openings.label("number") == "FULL — waitlist"

    listing = client.get(f"/acme/booking/classes/?term={course.term_id}").content.decode()
    assert "FULL — waitlist" in listing
    assert "1 opening" not in listing
    only_open = client.get(f"/acme/booking/classes/?term={course.term_id}&openings=on")
    assert course not in [c for c, _v in only_open.context["results"]]
    detail = client.get(f"/acme/booking/classes/{course.pk}/").content.decode()
    assert "FULL — waitlist" in detail
    assert "1 opening" not in detail

    newcomer, kid = make_family(org, last_name="Newcomer")
    with pytest.raises(BookingError, match="full"):
        services.add_course(family=newcomer, students=[kid], course=course, now=LATER)


def test_seats_beyond_the_waiting_families_are_openings_and_can_be_booked(org, clock):
    course = catalog.course(org, capacity=3, waitlist_allowed=True)
    holder, kid = make_family(org, last_name="Holder")
    services.add_course(family=holder, students=[kid], course=course, now=NOW)
    waitlist.WaitlistEntry.objects.create(
        organization=org, family=holder, student=kid, course=course, joined_at=NOW
    )  # one family waiting (staff put it there)
    openings = course_openings(_annotated(course, NOW), now=NOW)
    assert openings.left == 1 and openings.label("number") == "1 opening"

    newcomer, first = make_family(org, last_name="Newcomer")
    from tests import family_factories

    second = family_factories.student(newcomer, first_name="Leo", birth_date=first.birth_date)
    with pytest.raises(BookingError, match="only 1 openings left"):
        services.add_course(family=newcomer, students=[first, second], course=course, now=NOW)
    services.add_course(family=newcomer, students=[first], course=course, now=NOW)
    assert course_openings(Course.objects.get(pk=course.pk), now=NOW).full

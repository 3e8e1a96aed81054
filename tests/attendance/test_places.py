"""Capacity per meeting: capacity − enrolled then − makeups booked + absences, with the
waitlist's promise and the new-enrollment side of the rule (docs/booking.md, "Absences and
makeups")."""

from datetime import timedelta

import pytest

from springboard.attendance import services
from springboard.attendance.places import meeting_places
from springboard.attendance.services import AttendanceError
from springboard.booking import services as booking
from springboard.booking.locking import BookingError
from springboard.booking.models import Enrollment, EnrollmentStatus, WaitlistEntry
from springboard.catalog.availability import course_openings
from tests import family_factories
from tests.attendance.helpers import (
    KID_BIRTH_DATE,
    MONDAY,
    SUNDAY_NOON,
    WEDNESDAY,
    at,
    classes,
    enrolled_family,
    fill,
    rules,
)

pytestmark = pytest.mark.django_db
NEXT_WEDNESDAY = WEDNESDAY + timedelta(days=7)


@pytest.fixture
def setup(org):
    rules(org)
    monday, wednesday = classes(org, capacity=3)
    return monday, wednesday


def credit_for(org, monday, last_name="Maker"):
    family, kid, enrollment = enrolled_family(org, monday, last_name=last_name)
    services.mark_absent(enrollment, MONDAY, family=family, now=SUNDAY_NOON)
    return family, kid


def places(course, day=WEDNESDAY):
    return meeting_places(course, day, at(day, 16), now=SUNDAY_NOON)


def test_a_full_meeting_takes_no_makeup_until_someone_is_absent(org, setup):
    monday, wednesday = setup
    regulars = fill(org, wednesday, 3)
    family, kid = credit_for(org, monday)
    assert places(wednesday).left == 0
    with pytest.raises(AttendanceError, match="full on"):
        services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)

    regular_family, _regular, regular_enrollment = regulars[0]
    services.mark_absent(regular_enrollment, WEDNESDAY, family=regular_family, now=SUNDAY_NOON)
    assert places(wednesday).left == 1
    assert places(wednesday, NEXT_WEDNESDAY).left == 0  # only that meeting
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    assert places(wednesday).left == 0
    # The class itself stays full for a new enrollment (the absence frees one meeting).
    assert course_openings(wednesday, now=SUNDAY_NOON).left == 0
    assert not course_openings(wednesday, now=SUNDAY_NOON).oversold


def test_a_makeup_into_a_genuinely_open_place_closes_it_to_new_enrollments(org, setup):
    monday, wednesday = setup
    fill(org, wednesday, 2)
    family, kid = credit_for(org, monday)
    assert course_openings(wednesday, now=SUNDAY_NOON).left == 1
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    assert places(wednesday).left == 0
    assert places(wednesday, NEXT_WEDNESDAY).left == 1  # other meetings keep their place
    # A new enrollment would take every future meeting, this one included: no opening.
    openings = course_openings(wednesday, now=SUNDAY_NOON)
    assert openings.left == 0 and not openings.oversold
    newcomer = family_factories.family(org, last_name="New")
    new_kid = family_factories.student(newcomer, birth_date=KID_BIRTH_DATE)
    with pytest.raises(BookingError, match="full"):
        booking.add_course(family=newcomer, students=[new_kid], course=wednesday, now=SUNDAY_NOON)
    # Once that meeting has passed, the place is a term opening again.
    after = at(WEDNESDAY, 17)
    assert course_openings(wednesday, now=after).left == 1


def test_an_absence_in_the_makeups_meeting_gives_the_term_place_back(org, setup):
    monday, wednesday = setup
    regulars = fill(org, wednesday, 2)
    family, kid = credit_for(org, monday)
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    regular_family, _regular, regular_enrollment = regulars[0]
    services.mark_absent(regular_enrollment, WEDNESDAY, family=regular_family, now=SUNDAY_NOON)
    # The makeup now sits in the place the absence freed: the open place is open again.
    assert course_openings(wednesday, now=SUNDAY_NOON).left == 1
    assert places(wednesday).left == 1


def test_families_waiting_are_promised_the_open_place_not_the_absences(org, setup):
    monday, wednesday = setup
    regulars = fill(org, wednesday, 2)
    waiting = family_factories.family(org, last_name="Waiting")
    WaitlistEntry.objects.create(
        organization=org,
        family=waiting,
        student=family_factories.student(waiting, birth_date=KID_BIRTH_DATE),
        course=wednesday,
        joined_at=SUNDAY_NOON,
    )
    family, kid = credit_for(org, monday)
    assert places(wednesday).left == 0
    with pytest.raises(AttendanceError, match="full on"):
        services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    regular_family, _regular, regular_enrollment = regulars[0]
    services.mark_absent(regular_enrollment, WEDNESDAY, family=regular_family, now=SUNDAY_NOON)
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    assert course_openings(wednesday, now=SUNDAY_NOON).unheld == 1  # still offered to them


def test_a_cart_hold_on_the_last_place_takes_it_from_makeups(org, setup):
    monday, wednesday = setup
    fill(org, wednesday, 2)
    newcomer = family_factories.family(org, last_name="New")
    new_kid = family_factories.student(newcomer, birth_date=KID_BIRTH_DATE)
    booking.add_course(family=newcomer, students=[new_kid], course=wednesday, now=SUNDAY_NOON)
    family, kid = credit_for(org, monday)
    with pytest.raises(AttendanceError, match="full on"):
        services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)


def test_a_drop_taking_effect_before_the_meeting_frees_it_for_a_makeup(org, setup):
    monday, wednesday = setup
    regulars = fill(org, wednesday, 3)
    _family, _kid, leaving = regulars[0]
    Enrollment.objects.filter(pk=leaving.pk).update(
        status=EnrollmentStatus.DROPPED, dropped_at=SUNDAY_NOON, ends_at=at(WEDNESDAY, 0)
    )
    family, kid = credit_for(org, monday)
    assert places(wednesday).left == 1
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    openings = course_openings(wednesday, now=SUNDAY_NOON)
    assert openings.left == 0 and not openings.oversold
    # After the drop takes effect the term place is free for all but that Wednesday: the
    # makeup there uses the dropped place, so a newcomer still fits every meeting.
    assert course_openings(wednesday, now=at(WEDNESDAY, 1)).left == 0
    assert course_openings(wednesday, now=at(WEDNESDAY, 17)).left == 1


def test_an_absence_cannot_be_undone_once_its_place_is_someone_elses_makeup(org, setup):
    monday, wednesday = setup
    regulars = fill(org, wednesday, 3)
    regular_family, _regular, regular_enrollment = regulars[0]
    absence, _ = services.mark_absent(
        regular_enrollment, WEDNESDAY, family=regular_family, now=SUNDAY_NOON
    )
    family, kid = credit_for(org, monday)
    services.book_makeup(kid, wednesday, WEDNESDAY, family=family, now=SUNDAY_NOON)
    with pytest.raises(AttendanceError, match="taken by another student's makeup"):
        services.undo_absence(absence, family=regular_family, now=SUNDAY_NOON)
    assert services.credits_of(absence.student, now=SUNDAY_NOON).count() == 1


def test_counting_places_of_many_meetings_costs_the_same_queries(
    org, setup, django_assert_max_num_queries
):
    monday, wednesday = setup
    family, kid = credit_for(org, monday)
    credit = services.credits_of(kid, now=SUNDAY_NOON).get()
    with django_assert_max_num_queries(10):
        options = services.makeup_options(kid, credit, now=SUNDAY_NOON)
    assert [o.day for o in options][:2] == [WEDNESDAY, NEXT_WEDNESDAY]
    for _n in range(5):
        classes(org, capacity=3)
    with django_assert_max_num_queries(10):
        more = services.makeup_options(kid, credit, now=SUNDAY_NOON)
    assert len(more) > len(options)


def test_a_class_gives_way_to_its_busiest_meeting_and_never_gains_from_spare_absences(org, setup):
    """net_makeups: the largest surplus of makeups over absences among future meetings, never
    below 0 (two absences and one makeup on one Wednesday free no term place)."""
    monday, wednesday = setup
    regulars = fill(org, wednesday, 2)
    for regular_family, _regular, enrollment in regulars:
        services.mark_absent(enrollment, WEDNESDAY, family=regular_family, now=SUNDAY_NOON)
    first, first_kid = credit_for(org, monday, last_name="First")
    services.book_makeup(first_kid, wednesday, WEDNESDAY, family=first, now=SUNDAY_NOON)
    assert course_openings(wednesday, now=SUNDAY_NOON).left == 1  # not 2: spare absences
    second, second_kid = credit_for(org, monday, last_name="Second")
    services.book_makeup(second_kid, wednesday, NEXT_WEDNESDAY, family=second, now=SUNDAY_NOON)
    openings = course_openings(wednesday, now=SUNDAY_NOON)
    assert openings.left == 0 and not openings.oversold  # next Wednesday's makeup counts
    assert course_openings(wednesday, now=at(NEXT_WEDNESDAY, 17)).left == 1  # both past

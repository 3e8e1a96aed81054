"""Marking a meeting absent, its cut-off, its credit and its expiry, undoing it."""

from datetime import timedelta

import pytest

from springboard.attendance import services
from springboard.attendance.models import Absence, AbsenceStatus, AttendanceRules, Makeup
from springboard.attendance.services import AttendanceError, NotAMeeting
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
def world(org):
    rules(org, cutoff_hours=3, credit_days=14)
    monday, wednesday = classes(org, capacity=4)
    family, kid, enrollment = enrolled_family(org, monday)
    return {"family": family, "kid": kid, "enrollment": enrollment, "wednesday": wednesday}


def test_a_family_marks_next_mondays_class_absent_and_gets_a_credit(world):
    absence, created = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    assert created
    assert absence.starts_at == at(MONDAY, 16)
    assert absence.credit_expires_at == at(MONDAY, 16) + timedelta(days=14)
    assert list(services.credits_of(world["kid"], now=SUNDAY_NOON)) == [absence]


def test_two_clicks_mark_one_absence(world):
    first, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    second, created = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    assert second == first and not created
    assert Absence.objects.count() == 1


def test_the_cut_off_is_hours_before_the_class_starts(world):
    # 4pm class, 3 hours' cut-off: 12:59 is in time, 13:00 is too late.
    services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=at(MONDAY, 12, 59)
    )
    later = MONDAY + timedelta(days=7)
    with pytest.raises(AttendanceError, match="too late"):
        services.mark_absent(world["enrollment"], later, family=world["family"], now=at(later, 13))
    assert Absence.objects.count() == 1


def test_a_day_the_class_does_not_meet_is_refused(world):
    with pytest.raises(NotAMeeting):
        services.mark_absent(
            world["enrollment"], MONDAY + timedelta(days=1), family=world["family"], now=SUNDAY_NOON
        )


def test_a_closure_day_is_not_a_meeting(org, world):
    catalog.closure(org, MONDAY)
    with pytest.raises(NotAMeeting):
        services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)


def test_absences_off_online_is_a_message(org, world):
    AttendanceRules.objects.update(absences_online=False)
    with pytest.raises(AttendanceError, match="contact us"):
        services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)


def test_without_makeups_an_absence_has_no_credit(org, world):
    AttendanceRules.objects.update(makeups_allowed=False)
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    assert absence.credit_expires_at is None
    assert not services.credits_of(world["kid"], now=SUNDAY_NOON).exists()


def test_a_programs_own_rules_win(org, world):
    AttendanceRules.objects.create(
        organization=org, program=world["enrollment"].course.program, absences_online=False
    )
    with pytest.raises(AttendanceError, match="contact us"):
        services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)


def test_an_organization_without_rules_takes_no_absences_online(org, other_org):
    course = catalog.course(other_org)
    family, _kid, enrollment = enrolled_family(other_org, course)
    with pytest.raises(AttendanceError, match="contact us"):
        services.mark_absent(enrollment, MONDAY, family=family, now=SUNDAY_NOON)


def test_undo_before_the_cut_off_removes_the_absence_and_its_credit(world):
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    services.undo_absence(absence, family=world["family"], now=at(MONDAY, 12))
    assert Absence.objects.get().status == AbsenceStatus.UNDONE
    assert not services.credits_of(world["kid"], now=SUNDAY_NOON).exists()
    # ...and it can be marked again.
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=at(MONDAY, 12))


def test_undo_after_the_cut_off_is_refused(world):
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    with pytest.raises(AttendanceError, match="too late"):
        services.undo_absence(absence, family=world["family"], now=at(MONDAY, 13, 30))
    assert Absence.objects.get().status == AbsenceStatus.ABSENT


def test_undo_is_refused_when_the_credit_is_used(world):
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    services.book_makeup(
        world["kid"], world["wednesday"], WEDNESDAY, family=world["family"], now=SUNDAY_NOON
    )
    with pytest.raises(AttendanceError, match="already used"):
        services.undo_absence(absence, family=world["family"], now=SUNDAY_NOON)


def test_a_makeup_beyond_the_credits_is_a_message(world):
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    services.book_makeup(
        world["kid"], world["wednesday"], WEDNESDAY, family=world["family"], now=SUNDAY_NOON
    )
    with pytest.raises(AttendanceError, match="no makeup credit left"):
        services.book_makeup(
            world["kid"],
            world["wednesday"],
            WEDNESDAY + timedelta(days=7),
            family=world["family"],
            now=SUNDAY_NOON,
        )
    assert Makeup.objects.count() == 1


def test_an_expired_credit_cannot_be_used(world):
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    expired = at(MONDAY, 16) + timedelta(days=14, minutes=1)
    later = WEDNESDAY + timedelta(days=14)  # the Wednesday after the credit's 14 days
    with pytest.raises(AttendanceError, match="expired"):
        services.book_makeup(
            world["kid"], world["wednesday"], later, family=world["family"], now=expired
        )


def test_a_makeup_after_the_credit_expires_is_refused(world):
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    too_far = WEDNESDAY + timedelta(days=14)  # 27 Jan: after the credit's 25 Jan, 4pm
    with pytest.raises(AttendanceError, match="expires before"):
        services.book_makeup(
            world["kid"], world["wednesday"], too_far, family=world["family"], now=SUNDAY_NOON
        )


def test_a_makeup_in_another_program_is_refused_by_default(org, world):
    elsewhere = catalog.course(org, wednesday=True, program=catalog.program(org))
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    with pytest.raises(AttendanceError, match="same program"):
        services.book_makeup(
            world["kid"], elsewhere, WEDNESDAY, family=world["family"], now=SUNDAY_NOON
        )


def test_a_makeup_in_a_class_for_other_ages_is_refused(org, world):
    older = catalog.course(
        org, wednesday=True, program=world["wednesday"].program, min_age_years=10, max_age_years=12
    )
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    with pytest.raises(AttendanceError, match="Ages 10-12"):
        services.book_makeup(
            world["kid"], older, WEDNESDAY, family=world["family"], now=SUNDAY_NOON
        )


def test_the_most_makeups_per_term(org, world):
    AttendanceRules.objects.update(max_makeups_per_term=1)
    enrollment, family, kid = world["enrollment"], world["family"], world["kid"]
    services.mark_absent(enrollment, MONDAY, family=family, now=SUNDAY_NOON)
    services.mark_absent(enrollment, MONDAY + timedelta(days=7), family=family, now=SUNDAY_NOON)
    services.book_makeup(kid, world["wednesday"], WEDNESDAY, family=family, now=SUNDAY_NOON)
    with pytest.raises(AttendanceError, match="most makeups"):
        services.book_makeup(
            kid, world["wednesday"], WEDNESDAY + timedelta(days=7), family=family, now=SUNDAY_NOON
        )


def test_a_cancelled_makeup_gives_the_credit_back(world):
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    makeup = services.book_makeup(
        world["kid"], world["wednesday"], WEDNESDAY, family=world["family"], now=SUNDAY_NOON
    )
    services.cancel_makeup(makeup, family=world["family"], now=SUNDAY_NOON)
    assert services.credits_of(world["kid"], now=SUNDAY_NOON).count() == 1

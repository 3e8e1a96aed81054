"""Absences and makeups under each approval rule (automatic or a request staff approve): the
request, the place it holds or not, the credit, approval re-checking the rules (the cut-off),
denial freeing the place and the credit, two clicks, and the emails (docs/booking.md,
"Absences and makeups")."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import translation

from springboard.attendance import decisions, places, services
from springboard.attendance.models import Absence, Makeup
from springboard.attendance.services import AttendanceError
from springboard.booking.models import ChangeRequest
from springboard.tuition import changes
from tests.attendance.helpers import (
    MONDAY,
    SUNDAY_NOON,
    WEDNESDAY,
    at,
    classes,
    enrolled_family,
    fill,
    rules,
)
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """Monday class with room; the Wednesday class (capacity 2) is full with two fillers."""
    monday, wednesday = classes(org, capacity=2)
    family, kid, enrollment = enrolled_family(org, monday)
    fillers = fill(org, wednesday, 2)
    return {
        "family": family,
        "kid": kid,
        "enrollment": enrollment,
        "monday": monday,
        "wednesday": wednesday,
        "fillers": fillers,
    }


def _mails(family):
    return [m for m in mail.outbox if family.email in m.to]


def _decide(change, decision, when, note=""):
    service = changes.approve if decision == "approve" else changes.deny
    service(change, organization=change.organization, note=note, now=when, actor=None)


def _wednesday_left(world, now=SUNDAY_NOON) -> int:
    starts = at(WEDNESDAY, 16)
    return places.meeting_places(world["wednesday"], WEDNESDAY, starts, now=now).left


def _free_one_wednesday_place(world):
    """A filler marks Wednesday absent (automatic): one place for a makeup that meeting."""
    filler_family, _kid, filler_enrollment = world["fillers"][0]
    services.mark_absent(filler_enrollment, WEDNESDAY, family=filler_family, now=SUNDAY_NOON)


# --- absences --------------------------------------------------------------------------------
def test_an_automatic_absence_counts_at_once_and_the_family_is_emailed(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, absence_approval="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        absence, created = services.mark_absent(
            world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
        )
    assert created and absence.status == "absent" and absence.request is None
    assert not ChangeRequest.objects.exists()
    [email] = _mails(world["family"])
    assert email.subject.startswith("Marked absent: ")
    assert "Monday Tumbling" in email.subject and "Jan. 11, 2027" in email.subject
    assert "makeup credit until" in email.body.lower()


def test_a_requested_absence_waits_for_staff_and_frees_nothing_until_approved(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, absence_approval="request")
    monday_places = places.meeting_places(
        world["monday"], MONDAY, at(MONDAY, 16), now=SUNDAY_NOON
    ).absences
    with django_capture_on_commit_callbacks(execute=True):
        absence, created = services.mark_absent(
            world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
        )
    assert created and absence.status == "requested"
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status, change.effective_on) == ("absence", "pending", MONDAY)
    assert change.to_course == world["monday"] and change.enrollment is None
    assert absence.request == change
    assert not list(services.credits_of(world["kid"], now=SUNDAY_NOON))  # no credit yet
    after = places.meeting_places(world["monday"], MONDAY, at(MONDAY, 16), now=SUNDAY_NOON)
    assert after.absences == monday_places  # no place freed while pending
    [received] = _mails(world["family"])
    assert received.subject.startswith("Request received: the absence of ")

    with django_capture_on_commit_callbacks(execute=True):
        _decide(change, "approve", at(MONDAY, 9), note="Get well soon")
    absence.refresh_from_db()
    change.refresh_from_db()
    assert (absence.status, change.status, change.staff_note) == (
        "absent",
        "approved",
        "Get well soon",
    )
    assert absence.credit_expires_at == at(MONDAY, 16) + timedelta(days=30)
    assert list(services.credits_of(world["kid"], now=at(MONDAY, 9))) == [absence]
    _received, email = _mails(world["family"])
    assert email.subject.startswith("Approved: the absence of ")
    assert "Get well soon" in email.body


def test_an_absence_cannot_be_approved_after_its_cut_off(org, world):
    rules(org, absence_approval="request", cutoff_hours=2)
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    change = ChangeRequest.objects.get()
    with pytest.raises(decisions.CannotApprove, match="cannot be approved any more.*too late"):
        _decide(change, "approve", at(MONDAY, 14))  # 4pm class: the cut-off is 2pm
    change.refresh_from_db()
    assert change.status == "pending" and Absence.objects.get().status == "requested"
    _decide(change, "deny", at(MONDAY, 14), note="Too late")
    assert Absence.objects.get().status == "denied"


def test_a_denied_absence_changes_nothing_is_emailed_and_may_be_asked_again(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, absence_approval="request")
    services.mark_absent(world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON)
    change = ChangeRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(change, "deny", at(MONDAY, 9), note="We need her in the show rehearsal")
    with pytest.raises(AttendanceError, match="already decided"):
        _decide(change, "approve", at(MONDAY, 9))
    assert Absence.objects.get().status == "denied"
    assert not list(services.credits_of(world["kid"], now=at(MONDAY, 9)))
    [email] = _mails(world["family"])
    assert email.subject.startswith("Not approved: ")
    assert "show rehearsal" in email.body and "expected in class" in email.body
    again, created = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=at(MONDAY, 10)
    )
    assert created and again.status == "requested" and ChangeRequest.objects.count() == 2


def test_a_family_takes_back_a_pending_absence(org, world):
    rules(org, absence_approval="request")
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    services.undo_absence(absence, family=world["family"], now=SUNDAY_NOON)
    assert Absence.objects.get().status == "undone"
    change = ChangeRequest.objects.get()
    assert change.status == "lapsed"
    with pytest.raises(AttendanceError, match="already decided"):
        _decide(change, "approve", SUNDAY_NOON)


def test_two_clicks_make_one_absence_request_and_the_database_refuses_a_second(org, world):
    rules(org, absence_approval="request")
    first, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    second, created = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    assert second == first and not created
    assert ChangeRequest.objects.count() == 1 and Absence.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.create(
            organization=org,
            enrollment=first.enrollment,
            course=first.course,
            student=first.student,
            date=MONDAY,
            starts_at=first.starts_at,
            marked_at=SUNDAY_NOON,
            status="requested",
        )


def test_a_program_s_rules_choose_the_mode_for_its_classes(org, world):
    rules(org, absence_approval="automatic")
    other = catalog.program(org, name="Swim")
    swim = catalog.course(org, name="Swim Monday", monday=True, program=other, capacity=4)
    rules(org, program=other, absence_approval="request")
    _f, _k, swim_enrollment = enrolled_family(org, swim, last_name="Swimmer")
    tumbling, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    swimming, _ = services.mark_absent(
        swim_enrollment, MONDAY, family=swim_enrollment.student.family, now=SUNDAY_NOON
    )
    assert (tumbling.status, swimming.status) == ("absent", "requested")


# --- makeups ---------------------------------------------------------------------------------
def _credit(world):
    absence, _ = services.mark_absent(
        world["enrollment"], MONDAY, family=world["family"], now=SUNDAY_NOON
    )
    return absence


def _book(world, now=SUNDAY_NOON, student=None, family=None):
    return services.book_makeup(
        student or world["kid"],
        world["wednesday"],
        WEDNESDAY,
        family=family or world["family"],
        now=now,
    )


def test_an_automatic_makeup_is_booked_and_emailed(org, world, django_capture_on_commit_callbacks):
    rules(org, makeup_approval="automatic")
    _free_one_wednesday_place(world)
    _credit(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        makeup = _book(world)
    assert makeup.status == "booked" and makeup.request is None
    [email] = _mails(world["family"])
    assert email.subject.startswith("Makeup booked: ")
    assert "Wednesday Tumbling" in email.subject and "Jan. 13, 2027" in email.subject


def test_a_requested_makeup_holds_the_place_and_the_credit_until_denied(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    assert _wednesday_left(world) == 1
    _credit(world)
    mail.outbox.clear()
    makeup = _book(world)
    assert makeup.status == "requested"
    change = ChangeRequest.objects.get(kind="makeup")
    assert (change.status, change.to_course, change.effective_on) == (
        "pending",
        world["wednesday"],
        WEDNESDAY,
    )
    assert "absence on Jan. 11, 2027" in change.money_summary
    assert _wednesday_left(world) == 0  # the pending makeup holds the place
    assert not list(services.credits_of(world["kid"], now=SUNDAY_NOON))  # and the credit
    assert not _mails(world["family"])

    # Another family with a credit finds Wednesday full.
    other_family, other_kid, other_enrollment = enrolled_family(
        org, world["monday"], last_name="Other"
    )
    services.mark_absent(other_enrollment, MONDAY, family=other_family, now=SUNDAY_NOON)
    with pytest.raises(AttendanceError, match="full on"):
        _book(world, student=other_kid, family=other_family)

    with django_capture_on_commit_callbacks(execute=True):
        _decide(change, "deny", at(MONDAY, 9), note="That class has a visitor day")
    makeup.refresh_from_db()
    assert makeup.status == "denied"
    assert _wednesday_left(world, now=at(MONDAY, 9)) == 1  # the place is free again
    assert len(list(services.credits_of(world["kid"], now=at(MONDAY, 9)))) == 1  # and the credit
    [email] = _mails(world["family"])
    assert email.subject.startswith("Not approved: a makeup for ")
    assert "visitor day" in email.body and "credit is yours" in email.body
    assert _book(world, now=at(MONDAY, 9), student=other_kid, family=other_family).status == (
        "requested"
    )


def test_an_approved_makeup_keeps_its_place_and_the_family_is_emailed(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    _credit(world)
    mail.outbox.clear()
    makeup = _book(world)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(makeup.request, "approve", at(MONDAY, 9), note="See you Wednesday")
    makeup.refresh_from_db()
    assert (makeup.status, makeup.request.status) == ("booked", "approved")
    assert _wednesday_left(world, now=at(MONDAY, 9)) == 0
    [email] = _mails(world["family"])
    assert email.subject.startswith("Approved: a makeup for ")
    assert "See you Wednesday" in email.body


def test_a_makeup_cannot_be_approved_once_its_class_has_started(org, world):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    _credit(world)
    makeup = _book(world)
    with pytest.raises(decisions.CannotApprove, match="already started"):
        _decide(makeup.request, "approve", at(WEDNESDAY, 16, 5))
    makeup.refresh_from_db()
    assert (makeup.status, makeup.request.status) == ("requested", "pending")


def test_two_clicks_make_one_makeup_request(org, world):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    _credit(world)
    # A second credit (the next Monday) so the second click is not refused for credits.
    services.mark_absent(
        world["enrollment"],
        MONDAY + timedelta(days=7),
        family=world["family"],
        now=SUNDAY_NOON,
    )
    first = _book(world)
    second = _book(world)
    assert second == first
    assert ChangeRequest.objects.filter(kind="makeup").count() == 1
    assert Makeup.objects.count() == 1
    assert len(list(services.credits_of(world["kid"], now=SUNDAY_NOON))) == 1


def test_a_family_cancels_a_pending_makeup_and_the_request_leaves_the_queue(org, world):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    _credit(world)
    makeup = _book(world)
    services.cancel_makeup(makeup, family=world["family"], now=SUNDAY_NOON)
    makeup.refresh_from_db()
    assert (makeup.status, makeup.request.status) == ("cancelled", "lapsed")
    assert _wednesday_left(world) == 1


def test_the_decision_email_is_in_the_family_s_language(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, absence_approval="request")
    family = world["family"]
    family.language = "es"
    family.save(update_fields=["language"])
    services.mark_absent(world["enrollment"], MONDAY, family=family, now=SUNDAY_NOON)
    change = ChangeRequest.objects.get()
    assert change.language == "es"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _decide(change, "deny", at(MONDAY, 9))  # staff work in English
    [email] = _mails(family)
    with translation.override("es"):
        expected = translation.gettext("See it in My Account:")
    assert expected != "See it in My Account:" and expected in email.body


# --- "request received" emails ---------------------------------------------------------------
def test_a_requested_absence_clicked_twice_sends_one_email_in_the_familys_language(
    org, world, django_capture_on_commit_callbacks
):
    from springboard.families.models import Family

    rules(org, absence_approval="request")
    family = world["family"]
    Family.objects.filter(pk=family.pk).update(language="es")
    family.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        for _click in range(2):
            services.mark_absent(world["enrollment"], MONDAY, family=family, now=SUNDAY_NOON)
    assert ChangeRequest.objects.count() == 1
    [email] = _mails(family)
    assert world["monday"].name in email.subject and world["kid"].first_name in email.subject
    assert world["monday"].name in email.alternatives[0][0]
    with translation.override("es"):
        in_spanish = translation.gettext("See it in My Account:")
    assert in_spanish != "See it in My Account:" and in_spanish in email.body


def test_a_requested_makeup_clicked_twice_sends_one_email(
    org, world, django_capture_on_commit_callbacks
):
    rules(org, makeup_approval="request")
    _free_one_wednesday_place(world)
    _credit(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _book(world) == _book(world)
    assert ChangeRequest.objects.filter(kind="makeup").count() == 1
    [email] = _mails(world["family"])
    assert email.subject.startswith("Request received: a makeup for ")
    assert world["wednesday"].name in email.body

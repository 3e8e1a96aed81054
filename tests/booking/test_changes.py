"""Drops under each rule (automatic or a request staff approve × the unused month refunded,
credited or kept), around the notice period; the request, the queue and the emails
(docs/booking.md, "Requests and the activity queue")."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import Refund
from springboard.booking import waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.models import (
    ChangeRequest,
    DropRules,
    Enrollment,
    EnrollmentStatus,
    WaitlistEntry,
    drop_rules,
)
from springboard.catalog.availability import course_openings
from springboard.catalog.models import Course
from springboard.tenancy.models import StaffRole
from springboard.tuition import changes
from tests import factories
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

TERM = {"start_date": date(2027, 1, 4), "end_date": date(2027, 3, 27)}  # Mondays


@pytest.fixture
def enrolled(org):
    """Maya enrolled on 12 January (40.00 paid by card: 2 of January's 4 Mondays); the class
    is full and the Waiting family waits for it."""
    term = catalog.term(org, **TERM)
    course = catalog.course(org, term=term, tuition="80.00", capacity=1, waitlist_allowed=True)
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)
    waiting, kid = make_family(org, last_name="Waiting")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        waitlist.join(family=waiting, student=kid, course=course, now=timezone.now())
    return family, Enrollment.objects.get(student=maya, course=course), waiting


def _left(enrollment, when) -> int:
    return course_openings(Course.objects.get(pk=enrollment.course_id), now=when).unheld


def _ask(enrollment, family, when):
    with time_machine.travel(when, tick=False):
        return changes.ask_to_drop(enrollment, family=family, now=timezone.now())


def _decide(change, decision, when, note="", actor=None):
    service = changes.approve if decision == "approve" else changes.deny
    with time_machine.travel(when, tick=False):
        service(
            change, organization=change.organization, note=note, now=timezone.now(), actor=actor
        )


@pytest.mark.parametrize("approval", ["automatic", "request"])
@pytest.mark.parametrize("unused", ["refund", "credit", "keep"])
def test_each_drop_rule_takes_effect_after_the_notice_and_settles_the_unused_part(
    org, enrolled, approval, unused, django_capture_on_commit_callbacks
):
    family, enrollment, waiting = enrolled
    DropRules.objects.create(
        organization=org, approval=approval, notice="days", notice_days=7, unused_month=unused
    )
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(enrollment, family, at(2027, 1, 14))  # 7 days: the 25th is the first gone
        if approval == "request":
            assert not asked.done and asked.change.status == "pending"
            assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
            assert asked.change.effective_on == date(2027, 1, 25)
            _decide(asked.change, "approve", at(2027, 1, 15), note="Sorry to see you go")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DROPPED
    assert timezone.localtime(enrollment.ends_at, catalog.CHICAGO).date() == date(2027, 1, 25)
    # The 18th is still Maya's (the notice); the seat frees on the 25th, not before.
    assert _left(enrollment, at(2027, 1, 24, hour=23)) == 0
    assert _left(enrollment, at(2027, 1, 25, hour=0)) == 1
    # The unused part: 1 of the 2 Mondays paid (the 25th) = 20.00.
    refunds = list(Refund.objects.values_list("amount", flat=True))
    assert refunds == ([Decimal("20.00")] if unused == "refund" else [])
    assert SandboxRefund.objects.count() == (1 if unused == "refund" else 0)
    assert balances.credit(family) == (Decimal("20.00") if unused == "credit" else Decimal("0"))
    assert balances.balance(family) == Decimal("0.00")
    if approval == "request":
        received, decided = [m for m in mail.outbox if family.email in m.to]
        assert received.subject.startswith("Request received: dropping ")
        assert "Approved" in decided.subject
        assert "Sorry to see you go" in decided.body


def test_the_waitlist_offer_goes_out_when_the_seat_frees(
    org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment, waiting = enrolled
    DropRules.objects.create(organization=org, approval="request")  # end of the month
    asked = _ask(enrollment, family, at(2027, 1, 20))
    _decide(asked.change, "approve", at(2027, 1, 21))
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(2027, 1, 31, hour=23), tick=False):
            sweep_holds_and_offers(timezone.now())
        assert not [m for m in mail.outbox if waiting.email in m.to]
        with time_machine.travel(at(2027, 2, 1, hour=0), tick=False):
            sweep_holds_and_offers(timezone.now())
    assert [m for m in mail.outbox if waiting.email in m.to]
    assert WaitlistEntry.objects.get(family=waiting).status == "offered"


def test_two_clicks_make_one_request_and_a_denial_changes_nothing(
    org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment, _waiting = enrolled
    DropRules.objects.create(organization=org, approval="request")
    first = _ask(enrollment, family, at(2027, 1, 20)).change
    second = _ask(enrollment, family, at(2027, 1, 20)).change
    assert first.pk == second.pk and ChangeRequest.objects.count() == 1
    with translation.override("es"):
        third = _ask(enrollment, family, at(2027, 1, 20)).change
    assert third.pk == first.pk
    with django_capture_on_commit_callbacks(execute=True):
        _decide(first, "deny", at(2027, 1, 21), note="Please call us")
    first.refresh_from_db()
    assert (first.status, first.staff_note) == ("denied", "Please call us")
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert [m.subject for m in mail.outbox if family.email in m.to] == [
        f"Not approved: dropping {enrollment.course.name} for {enrollment.student.first_name}"
    ]
    with pytest.raises(changes.AlreadyDecided):
        _decide(first, "approve", at(2027, 1, 22))
    # Denied: the family may ask again.
    assert _ask(enrollment, family, at(2027, 1, 22)).change.pk != first.pk


def test_the_decision_email_is_in_the_language_the_family_asked_in(
    org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment, _waiting = enrolled
    DropRules.objects.create(organization=org, approval="request")
    with translation.override("es"):
        change = _ask(enrollment, family, at(2027, 1, 20)).change
    assert change.language == "es"
    with django_capture_on_commit_callbacks(execute=True):
        _decide(change, "approve", at(2027, 1, 21))
    email = [m for m in mail.outbox if family.email in m.to][0]
    with translation.override("es"):
        expected = translation.gettext("See it in My Account:")
    assert expected in email.body


def test_a_program_s_rules_replace_the_organization_s(org, enrolled):
    family, enrollment, _waiting = enrolled
    DropRules.objects.create(organization=org, approval="automatic")
    other_program = catalog.program(org, name="Swim")
    DropRules.objects.create(organization=org, program=other_program, approval="request")
    assert drop_rules(org, enrollment.course.program).approval == "automatic"
    assert drop_rules(org, other_program).approval == "request"
    DropRules.objects.create(
        organization=org, program=enrollment.course.program, approval="request"
    )
    assert _ask(enrollment, family, at(2027, 1, 20)).change.status == "pending"


# --- the queue in the admin ----------------------------------------------------------------
def test_staff_see_and_decide_their_organization_s_queue_only(
    client, org, other_org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment, _waiting = enrolled
    DropRules.objects.create(organization=org, approval="request")
    change = _ask(enrollment, family, at(2027, 1, 20)).change
    decide = f"/admin/booking/changerequest/{change.pk}/decide/"
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert client.get(decide).status_code == 404
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    listing = client.get("/admin/booking/changerequest/")
    assert family.name not in listing.content.decode()
    staff = factories.staff_user(org, StaffRole.STAFF)
    with time_machine.travel(at(2027, 1, 21), tick=False):
        client.force_login(staff)
        listing = client.get("/admin/booking/changerequest/").content.decode()
        assert family.name in listing and "Approve or deny" in listing
        page = client.get(decide).content.decode()
        assert change.money_summary in page
        assert client.get("/admin/booking/changerequest/x9/decide/").status_code == 404
        bad = client.post(decide, {"decision": "maybe"})
        assert bad.status_code == 200 and "Choose Approve or Deny" in bad.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(decide, {"decision": "approve", "note": "Done"})
        assert done.status_code == 302
        change.refresh_from_db()
        assert (change.status, change.decided_by, change.staff_note) == ("approved", staff, "Done")
        again = client.post(decide, {"decision": "deny"})
        assert "already decided" in again.content.decode()
    assert len([m for m in mail.outbox if family.email in m.to]) == 1


def test_the_family_sees_the_status_in_my_account(client, org, enrolled):
    family, enrollment, _waiting = enrolled
    DropRules.objects.create(organization=org, approval="request")
    with time_machine.travel(at(2027, 1, 20), tick=False):
        client.force_login(family.guardians.get().user)
        response = client.post(f"/{org.account_name}/account/enrollments/{enrollment.pk}/drop/")
        assert response.status_code == 302
        page = client.get(f"/{org.account_name}/account/").content.decode()
    assert "Drop requested: waiting for approval" in page
    assert "Waiting for approval" in page
    change = ChangeRequest.objects.get()
    _decide(change, "deny", at(2027, 1, 21), note="Call the front desk")
    with time_machine.travel(at(2027, 1, 21), tick=False):
        client.force_login(family.guardians.get().user)
        page = client.get(f"/{org.account_name}/account/").content.decode()
    assert "Denied" in page and "Call the front desk" in page

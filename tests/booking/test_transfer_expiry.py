"""A transfer request waiting for staff holds the new class's seat for the rules' days
(`DropRules.transfer_request_days`), then expires: the seat is released (by read, like a
cart hold), housekeeping marks it expired, emails the family and offers the seat to the new
class's waitlist; the queue cannot approve it any more; the family and staff see it
(docs/booking.md, "Transfers")."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.booking import transfers, waitlist
from springboard.booking.models import (
    ChangeRequest,
    DropRules,
    Enrollment,
    EnrollmentStatus,
    WaitlistEntry,
)
from springboard.core.housekeeping import jobs
from springboard.tenancy.models import StaffRole
from springboard.tuition import changes
from tests import factories
from tests.booking.conftest import make_family
from tests.booking.test_transfers import _left, setting  # noqa: F401  (the fixture)
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db

ASKED = at(2027, 1, 14)
EXPIRES = ASKED + timedelta(days=2)


@pytest.fixture
def pending(org, setting):  # noqa: F811
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00", waitlist_allowed=True)
    DropRules.objects.create(organization=org, transfer_approval="request", transfer_request_days=2)
    with time_machine.travel(ASKED, tick=False):
        now = timezone.now()
        held = changes.hold_transfer(enrollment, new, family=family, now=now)
        asked = changes.confirm_transfer(held, family=family, now=now)
    assert asked.change.status == "pending" and asked.change.hold_expires_at == EXPIRES
    return family, enrollment, new, asked.change


def test_the_seat_is_held_for_the_rules_days_then_released(org, pending):
    _family, _enrollment, new, _change = pending
    assert _left(new, EXPIRES - timedelta(minutes=1)) == 0
    assert _left(new, EXPIRES) == 1  # released by read, before housekeeping runs


def test_housekeeping_expires_it_tells_the_family_and_offers_the_seat(
    org, pending, django_capture_on_commit_callbacks
):
    family, enrollment, new, change = pending
    waiting, kid = make_family(org, last_name="Hopeful")
    with time_machine.travel(ASKED + timedelta(hours=1), tick=False):
        waitlist.join(family=waiting, student=kid, course=new, now=timezone.now())
    job = jobs()["tuition.expire_transfer_requests"]
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(EXPIRES - timedelta(minutes=1), tick=False):
            assert job(timezone.now()) == "expired 0 transfer requests"
        with time_machine.travel(EXPIRES, tick=False):
            assert job(timezone.now()) == "expired 1 transfer requests"
            assert job(timezone.now()) == "expired 0 transfer requests"  # once
    change.refresh_from_db()
    assert (change.status, change.decided_at) == ("expired", EXPIRES)
    told = [m for m in mail.outbox if family.email in m.to]
    assert len(told) == 1 and told[0].subject.startswith("Expired: your transfer to")
    assert "the seat held for it is released" in told[0].body
    assert WaitlistEntry.objects.get(family=waiting).status == "offered"
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert changes.pending_of(enrollment) is None  # the family may ask again


def test_the_queue_cannot_approve_an_expired_request(
    client, org, pending, django_capture_on_commit_callbacks
):
    family, enrollment, new, change = pending
    decide = f"/admin/booking/changerequest/{change.pk}/decide/"
    staff = factories.staff_user(org, StaffRole.STAFF)
    with time_machine.travel(EXPIRES - timedelta(hours=1), tick=False):
        client.force_login(staff)
        page = client.get(decide).content.decode()
        assert "Seat held until" in page and "the request expires" in page
    with time_machine.travel(EXPIRES + timedelta(minutes=5), tick=False):
        client.force_login(staff)
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(decide, {"decision": "approve"})
        assert refused.status_code == 200
        assert "expired before it was decided" in refused.content.decode()
        with pytest.raises(changes.AlreadyDecided):
            changes.approve(change, organization=org, note="", now=timezone.now(), actor=None)
    change.refresh_from_db()
    assert change.status == "expired"
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not Enrollment.objects.filter(course=new).exists()
    assert len([m for m in mail.outbox if family.email in m.to]) == 1  # told once
    # The family sees it in My Account, and on the transfer's page.
    with time_machine.travel(EXPIRES + timedelta(minutes=10), tick=False):
        client.force_login(family.guardians.get().user)
        account = client.get(f"/{org.account_name}/account/").content.decode()
        assert "Expired: not decided in time" in account
        confirm = client.get(f"/{org.account_name}/account/transfers/{change.pk}/")
        assert confirm.status_code == 200
        assert "Expired: not decided in time" in confirm.content.decode()
        assert client.post(f"/{org.account_name}/account/transfers/{change.pk}/").status_code == 409


def test_the_family_sees_until_when_the_seat_is_held(client, org, pending):
    family, _enrollment, _new, change = pending
    with time_machine.travel(ASKED + timedelta(hours=1), tick=False):
        client.force_login(family.guardians.get().user)
        page = client.get(f"/{org.account_name}/account/transfers/{change.pk}/").content.decode()
    assert "The seat is held for you until" in page
    assert ChangeRequest.objects.get().status == "pending"


def test_past_its_time_it_no_longer_blocks_asking_again(
    org,
    setting,  # noqa: F811
    pending,
    django_capture_on_commit_callbacks,
):
    family, enrollment, _new, change = pending
    _family, _enrollment, _waiting, wednesday = setting
    other = wednesday("90.00")
    before = time_machine.travel(EXPIRES - timedelta(minutes=1), tick=False)
    with before, pytest.raises(transfers.TransferRefused, match="already waiting for approval"):
        changes.hold_transfer(enrollment, other, family=family, now=timezone.now())
    at_expiry = time_machine.travel(EXPIRES, tick=False)  # before housekeeping ran
    with django_capture_on_commit_callbacks(execute=True), at_expiry:
        held = changes.hold_transfer(enrollment, other, family=family, now=timezone.now())
    assert held.status == "held" and held.to_course == other
    change.refresh_from_db()
    assert change.status == "expired"
    assert [m.subject for m in mail.outbox if family.email in m.to][0].startswith("Expired:")

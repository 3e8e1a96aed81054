"""Staff "drop and refund" on the enrollments' admin list: the enrollment ends now, the seat
goes to the waitlist, what was paid for it goes back to the card once however often the
action is submitted (one refund, one gateway refund), or stays as credit; never more than
was paid; another organization's enrollment is untouched."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from springboard.billing import balances
from springboard.billing.gateways.sandbox.models import SandboxRefund
from springboard.billing.models import ChargeVoid, Refund, RefundOutcome
from springboard.booking import waitlist
from springboard.booking.models import Enrollment, EnrollmentStatus, WaitlistEntry
from springboard.core.housekeeping import jobs
from springboard.tenancy.models import StaffRole
from tests import factories
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

URL = "/admin/booking/enrollment/"


@pytest.fixture
def enrolled(org):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition="80.00", capacity=1, waitlist_allowed=True)
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], course)  # 40.00 paid by card
    with time_machine.travel(at(2027, 2, 1, hour=0), tick=False):
        jobs()["tuition.monthly_billing_runs"](timezone.now())  # February's 80.00, unpaid
    return family, Enrollment.objects.get(student=maya)


def _act(client, org_user, action, enrollment, when, capture):
    with time_machine.travel(when, tick=False):
        client.force_login(org_user)
        with capture(execute=True):
            return client.post(
                URL, {"action": action, "_selected_action": [enrollment.pk], "index": 0}
            )


def test_drop_and_refund_submitted_twice_refunds_once(
    client, org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment = enrolled
    waiting, kid = make_family(org, last_name="Waiting")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        waitlist.join(family=waiting, student=kid, course=enrollment.course, now=timezone.now())
    staff = factories.staff_user(org, StaffRole.STAFF)
    for _ in range(2):
        response = _act(
            client,
            staff,
            "drop_and_refund",
            enrollment,
            at(2027, 2, 3),
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DROPPED
    assert enrollment.ends_at == at(2027, 2, 3)
    assert ChargeVoid.objects.count() == 2  # January's (paid) and February's (owed)
    assert [r.amount for r in Refund.objects.all()] == [Decimal("40.00")]  # what was paid
    assert RefundOutcome.objects.filter(succeeded=True).count() == 1
    assert SandboxRefund.objects.count() == 1
    assert balances.balance(family) == Decimal("0.00")
    assert balances.credit(family) == Decimal("0.00")
    # The seat went to the waitlist at once.
    assert WaitlistEntry.objects.get(student=kid).status == "offered"
    assert [m.to for m in mail.outbox] == [[waiting.email]]


def test_drop_and_credit_keeps_what_was_paid_on_the_account(
    client, org, enrolled, django_capture_on_commit_callbacks
):
    family, enrollment = enrolled
    staff = factories.staff_user(org, StaffRole.STAFF)
    for _ in range(2):
        _act(
            client,
            staff,
            "drop_and_credit",
            enrollment,
            at(2027, 2, 3),
            django_capture_on_commit_callbacks,
        )
    assert not Refund.objects.exists()
    assert balances.credit(family) == Decimal("40.00")


def test_a_family_drop_ahead_is_ended_now_by_staff(
    client, org, enrolled, django_capture_on_commit_callbacks
):
    from springboard.tuition import drops

    family, enrollment = enrolled
    with time_machine.travel(at(2027, 2, 2), tick=False):
        drops.drop(enrollment, family=family, now=timezone.now())  # effective 1 March
    staff = factories.staff_user(org, StaffRole.STAFF)
    _act(
        client,
        staff,
        "drop_and_refund",
        enrollment,
        at(2027, 2, 3),
        django_capture_on_commit_callbacks,
    )
    enrollment.refresh_from_db()
    assert enrollment.ends_at == at(2027, 2, 3)
    assert [r.amount for r in Refund.objects.all()] == [Decimal("40.00")]


def test_another_organizations_staff_cannot_drop_it(
    client, org, other_org, enrolled, django_capture_on_commit_callbacks
):
    _family, enrollment = enrolled
    rival = factories.staff_user(other_org, StaffRole.OWNER)
    _act(
        client,
        rival,
        "drop_and_refund",
        enrollment,
        at(2027, 2, 3),
        django_capture_on_commit_callbacks,
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert not Refund.objects.exists() and not ChargeVoid.objects.exists()


def test_a_crash_after_the_gateway_refunded_is_completed_once_by_submitting_again(
    org, enrolled, monkeypatch, django_capture_on_commit_callbacks
):
    """The Refund row (the intent) is posted before the gateway call: a crash after the
    gateway answered leaves it without an outcome; the next submission replays its key, the
    gateway answers the same refund, and there is still one refund and one gateway refund."""
    from springboard.billing.gateways.sandbox.gateway import SandboxGateway
    from springboard.tuition import drops

    _family, enrollment = enrolled
    answer = SandboxGateway.refund

    def answers_then_crashes(self, **kwargs):
        answer(self, **kwargs)
        raise RuntimeError("the process died before recording the answer")

    monkeypatch.setattr(SandboxGateway, "refund", answers_then_crashes)
    common = {
        "organization": org,
        "enrollment": enrollment,
        "refund_to_payment": True,
        "now": at(2027, 2, 3),
        "actor": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            drops.staff_drop(**common)
        assert Refund.objects.count() == 1 and not RefundOutcome.objects.exists()
        monkeypatch.undo()
        enrollment.refresh_from_db()
        drops.staff_drop(**{**common, "enrollment": enrollment})
    assert [r.amount for r in Refund.objects.all()] == [Decimal("40.00")]
    assert RefundOutcome.objects.filter(succeeded=True).count() == 1
    assert SandboxRefund.objects.count() == 1

"""A drop or transfer request staff must approve: one "request received" email per request,
in the family's language (two clicks → one request → one email); and a Drop while the
enrollment's transfer request waits is refused, changing nothing (docs/booking.md,
"Requests and the activity queue")."""

from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from springboard.booking.models import ChangeRequest, DropRules, Enrollment, EnrollmentStatus
from springboard.families.models import Family
from springboard.tuition import changes
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db

TERM = {"start_date": date(2027, 1, 4), "end_date": date(2027, 3, 27)}  # Mondays
WEDNESDAY = {"monday": False, "wednesday": True, "start_time": time(17), "end_time": time(18)}


@pytest.fixture
def setting(org):
    """A student in the Monday class (paid through checkout on 12 January); a Wednesday class
    with a seat; every drop and transfer a request staff approve."""
    term = catalog.term(org, **TERM)
    monday = catalog.course(org, term=term, tuition="80.00", capacity=2, name="Monday")
    wednesday = catalog.course(
        org, term=term, tuition="80.00", capacity=2, name="Wednesday", **WEDNESDAY
    )
    family, maya = make_family(org)
    with time_machine.travel(at(2027, 1, 12), tick=False):
        enroll_through_checkout(family, [maya], monday)
    DropRules.objects.create(organization=org, approval="request", transfer_approval="request")
    mail.outbox.clear()
    return family, Enrollment.objects.get(student=maya), wednesday


def _mails(family):
    return [m for m in mail.outbox if family.email in m.to]


def _drop(enrollment, family, when):
    with time_machine.travel(when, tick=False):
        return changes.ask_to_drop(enrollment, family=family, now=timezone.now())


def _transfer(enrollment, course, family, when, clicks=1):
    with time_machine.travel(when, tick=False):
        now = timezone.now()
        change = changes.hold_transfer(enrollment, course, family=family, now=now)
        return [changes.confirm_transfer(change, family=family, now=now) for _ in range(clicks)]


def test_a_drop_request_clicked_twice_is_one_request_and_one_email_in_the_familys_language(
    setting, django_capture_on_commit_callbacks
):
    family, enrollment, _wednesday = setting
    Family.objects.filter(pk=family.pk).update(language="es")
    family.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        first = _drop(enrollment, family, at(2027, 1, 14))
        second = _drop(enrollment, family, at(2027, 1, 14, hour=11))
    assert first.change == second.change and ChangeRequest.objects.count() == 1
    [email] = _mails(family)
    assert "Monday" in email.subject and enrollment.student.first_name in email.subject
    assert first.change.money_summary in email.body
    assert first.change.money_summary in email.alternatives[0][0]
    with translation.override("es"):
        in_spanish = translation.gettext("See it in My Account:")
    assert in_spanish != "See it in My Account:" and in_spanish in email.body


def test_a_transfer_request_confirmed_twice_sends_one_email(
    setting, django_capture_on_commit_callbacks
):
    family, enrollment, wednesday = setting
    with django_capture_on_commit_callbacks(execute=True):
        asked = _transfer(enrollment, wednesday, family, at(2027, 1, 14), clicks=2)
    assert {a.change.pk for a in asked} == {ChangeRequest.objects.get(status="pending").pk}
    [email] = _mails(family)
    name = enrollment.student.first_name
    assert email.subject == f"Request received: your transfer to Wednesday for {name}"
    assert "Wednesday" in email.alternatives[0][0]


def test_an_automatic_drop_sends_no_request_email(org, setting, django_capture_on_commit_callbacks):
    family, enrollment, _wednesday = setting
    DropRules.objects.filter(organization=org).update(approval="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        assert _drop(enrollment, family, at(2027, 1, 14)).done
    assert not [m for m in _mails(family) if m.subject.startswith("Request received")]


def test_a_drop_while_the_transfer_request_waits_is_refused_and_changes_nothing(
    client, org, setting, django_capture_on_commit_callbacks
):
    family, enrollment, wednesday = setting
    with django_capture_on_commit_callbacks(execute=True):
        [asked] = _transfer(enrollment, wednesday, family, at(2027, 1, 14))
    mail.outbox.clear()
    with pytest.raises(changes.TransferWaiting) as refused:
        _drop(enrollment, family, at(2027, 1, 14, hour=11))
    name = enrollment.student.first_name
    assert f"transfer {name} to Wednesday is waiting for approval" in refused.value.message
    url = f"/{org.account_name}/account/enrollments/{enrollment.pk}/drop/"
    with time_machine.travel(at(2027, 1, 14, hour=12), tick=False):
        client.force_login(family.guardians.get().user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)
    page = response.content.decode()
    assert response.status_code == 409
    assert "is waiting for approval, so this class cannot be dropped now" in page
    assert "Your request to drop" not in page
    [only] = ChangeRequest.objects.all()
    assert (only.pk, only.kind, only.status) == (asked.change.pk, "transfer", "pending")
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not _mails(family)

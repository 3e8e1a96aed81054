"""The pages of requested absences and makeups: the family's double click, the status and
the staff's note where absences and makeups are listed (Absences, Makeups, My Account,
Coming Up!), another family's request a 404, and the activity queue deciding these kinds."""

import pytest
import time_machine
from django.core import mail

from springboard.attendance.models import Absence, Makeup
from springboard.booking.models import ChangeRequest
from springboard.portal.coming_up import coming_up
from springboard.tenancy.models import StaffRole
from springboard.tuition import changes
from tests import factories, family_factories
from tests.attendance.helpers import (
    MONDAY,
    SUNDAY_NOON,
    WEDNESDAY,
    at,
    classes,
    enrolled_family,
    rules,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, client):
    rules(org, absence_approval="request", makeup_approval="request")
    monday, wednesday = classes(org, capacity=4)
    family, kid, enrollment = enrolled_family(org, monday)
    family_factories.agree_to_everything(family, family.guardians.get().user)
    with time_machine.travel(SUNDAY_NOON, tick=False):
        client.force_login(family.guardians.get().user)
        yield {
            "family": family,
            "kid": kid,
            "enrollment": enrollment,
            "monday": monday,
            "wednesday": wednesday,
        }


def absences_url(enrollment):
    return f"/acme/account/enrollments/{enrollment.pk}/absences/"


def _ask_absent(client, world):
    data = {"action": "absent", "date": MONDAY.isoformat()}
    return client.post(absences_url(world["enrollment"]), data, follow=True)


def _approve_absence_directly(world):
    """Staff approve the absence (the queue's service) so the family has a credit."""
    change = ChangeRequest.objects.get(kind="absence")
    changes.approve(change, organization=change.organization, note="", now=SUNDAY_NOON, actor=None)


def _book(client, world):
    return client.post(
        "/acme/account/makeups/",
        {
            "action": "book",
            "student": world["kid"].pk,
            "course": world["wednesday"].pk,
            "date": WEDNESDAY.isoformat(),
        },
        follow=True,
    )


def test_two_clicks_on_mark_absent_make_one_request_and_the_pages_say_pending(client, world):
    first = _ask_absent(client, world)
    second = _ask_absent(client, world)
    assert first.status_code == second.status_code == 200
    assert "Absence requested for Kid" in first.content.decode()
    assert ChangeRequest.objects.filter(kind="absence").count() == 1
    page = client.get(absences_url(world["enrollment"])).content.decode()
    assert "Absence requested: waiting for approval" in page
    dashboard = client.get("/acme/dashboard/").content.decode()
    assert 'data-testid="coming-up-pending"' in dashboard
    item = next(
        i for i in coming_up(world["family"], now=SUNDAY_NOON) if i.starts_at == at(MONDAY, 16)
    )
    assert (item.status, item.can_mark_absent) == ("absence_pending", False)
    account = client.get("/acme/account/").content.decode()
    assert 'data-testid="change-request"' in account and "Waiting for approval" in account
    assert "Absence · " in account and "Monday Tumbling" in account


def test_a_denied_absence_shows_the_staff_note_where_absences_are_listed(client, world):
    _ask_absent(client, world)
    change = ChangeRequest.objects.get()
    changes.deny(
        change, organization=change.organization, note="Big test day", now=SUNDAY_NOON, actor=None
    )
    page = client.get(absences_url(world["enrollment"])).content.decode()
    assert "Absence not approved: Big test day" in page
    assert "Mark absent on Mon, Jan 11" in page  # the family may ask again
    account = client.get("/acme/account/").content.decode()
    assert "Denied" in account and "Big test day" in account


def test_a_makeup_request_shows_pending_then_approved_with_the_note(client, world):
    _ask_absent(client, world)
    _approve_absence_directly(world)
    page = client.get(absences_url(world["enrollment"])).content.decode()
    assert 'data-testid="absence-approved"' in page
    first = _book(client, world)
    _book(client, world)  # a second click
    assert "Makeup requested: Kid" in first.content.decode()
    assert Makeup.objects.get().status == "requested"
    assert ChangeRequest.objects.filter(kind="makeup").count() == 1
    page = client.get("/acme/account/makeups/").content.decode()
    assert 'data-testid="makeup-status"' in page and "Waiting for approval" in page
    wednesday = next(
        i for i in coming_up(world["family"], now=SUNDAY_NOON) if i.starts_at == at(WEDNESDAY, 16)
    )
    assert wednesday.status == "makeup_pending"
    assert 'data-testid="coming-up-pending"' in client.get("/acme/dashboard/").content.decode()

    change = ChangeRequest.objects.get(kind="makeup")
    changes.approve(
        change, organization=change.organization, note="Bring water", now=SUNDAY_NOON, actor=None
    )
    page = client.get("/acme/account/makeups/").content.decode()
    assert "Approved" in page and "Bring water" in page


def test_another_family_s_pending_makeup_or_absence_is_a_404(client, org, world):
    other_family, other_kid, other_enrollment = enrolled_family(
        org, world["monday"], last_name="Other"
    )
    other_client = client.__class__()
    family_factories.agree_to_everything(other_family, other_family.guardians.get().user)
    other_client.force_login(other_family.guardians.get().user)
    other_client.post(
        absences_url(other_enrollment), {"action": "absent", "date": MONDAY.isoformat()}
    )
    theirs = ChangeRequest.objects.get(family=other_family)
    # Their enrollment's absences, their request as a transfer page, cancelling their makeup.
    data = {"action": "undo", "date": MONDAY.isoformat()}
    assert client.post(absences_url(other_enrollment), data).status_code == 404
    assert client.get(f"/acme/account/transfers/{theirs.pk}/").status_code == 404
    changes.approve(theirs, organization=org, note="", now=SUNDAY_NOON, actor=None)
    other_client.post(
        "/acme/account/makeups/",
        {
            "action": "book",
            "student": other_kid.pk,
            "course": world["wednesday"].pk,
            "date": WEDNESDAY.isoformat(),
        },
    )
    makeup = Makeup.objects.get()
    assert makeup.status == "requested"
    response = client.post("/acme/account/makeups/", {"action": "cancel", "makeup": makeup.pk})
    assert response.status_code == 404
    makeup.refresh_from_db()
    assert makeup.status == "requested"
    assert Absence.objects.get(student=other_kid).status == "absent"


def test_the_activity_queue_lists_and_decides_absences_and_makeups(
    client, org, other_org, world, django_capture_on_commit_callbacks
):
    _ask_absent(client, world)
    absence_request = ChangeRequest.objects.get(kind="absence")
    decide = f"/admin/booking/changerequest/{absence_request.pk}/decide/"
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert client.get(decide).status_code == 404
    assert client.post(decide, {"decision": "approve"}).status_code == 404

    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    listing = client.get("/admin/booking/changerequest/?kind=absence").content.decode()
    assert world["family"].name in listing and "Monday Tumbling" in listing
    page = client.get(decide).content.decode()
    assert "Absence" in page and "Monday Tumbling" in page and "makeup credit until" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide, {"decision": "approve", "note": "Feel better"})
    assert done.status_code == 302
    assert Absence.objects.get().status == "absent"
    assert "Approved: the absence" in mail.outbox[-1].subject

    client.force_login(world["family"].guardians.get().user)
    _book(client, world)
    makeup_request = ChangeRequest.objects.get(kind="makeup")
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    decide = f"/admin/booking/changerequest/{makeup_request.pk}/decide/"
    assert "Wednesday Tumbling" in client.get(decide).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide, {"decision": "deny", "note": "Full of visitors"})
    assert done.status_code == 302
    assert Makeup.objects.get().status == "denied"
    assert "Not approved: a makeup" in mail.outbox[-1].subject
    again = client.post(decide, {"decision": "approve"})
    assert again.status_code == 200 and "already decided" in again.content.decode()


def test_the_queue_tells_staff_an_absence_is_past_its_cut_off(client, org, world):
    _ask_absent(client, world)
    change = ChangeRequest.objects.get()
    decide = f"/admin/booking/changerequest/{change.pk}/decide/"
    with time_machine.travel(at(MONDAY, 15), tick=False):
        client.force_login(factories.staff_user(org, StaffRole.STAFF))
        response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 200
    assert "cannot be approved any more" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"

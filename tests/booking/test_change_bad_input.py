"""Bad input on the Drop and Transfer pages (issue 14, "Bad input"): past the cut-off, not
allowed online, a full or ineligible class, an already dropped class, two clicks — each a
message with nothing changed (or one request), never a 500 (docs/booking.md, "Drops",
"Transfers")."""

from datetime import datetime

import pytest
import time_machine

from springboard.billing.models import Refund
from springboard.booking.models import ChangeRequest, DropRules, Enrollment, EnrollmentStatus
from tests.booking.conftest import make_family
from tests.booking.test_transfers import setting  # noqa: F401  (the fixture)
from tests.catalog import factories as catalog
from tests.tuition.helpers import at, enroll_through_checkout

pytestmark = pytest.mark.django_db


def _urls(org, enrollment):
    base = f"/{org.account_name}/account/enrollments/{enrollment.pk}"
    return f"{base}/drop/", f"{base}/transfer/"


def _unchanged(enrollment):
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not ChangeRequest.objects.filter(status__in=["pending", "done", "approved"]).exists()
    assert not Refund.objects.exists()


def test_a_transfer_past_the_cut_off_is_a_message(client, org, setting):  # noqa: F811
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00")
    DropRules.objects.create(organization=org, transfer_notice="month_end")
    _drop, transfer = _urls(org, enrollment)
    with time_machine.travel(at(2027, 3, 10), tick=False):  # the class ends in March
        client.force_login(family.guardians.get().user)
        page = client.get(transfer)
        assert page.status_code == 200 and "too late" in page.content.decode()
        assert "Choose" not in page.content.decode()
        refused = client.post(transfer, {"course": new.pk})
    assert refused.status_code == 409 and "too late" in refused.content.decode()
    _unchanged(enrollment)


def test_a_transfer_to_a_full_or_ineligible_class_says_why(client, org, setting):  # noqa: F811
    family, enrollment, _waiting, wednesday = setting
    full = wednesday("80.00")
    other, kid = make_family(org, last_name="Other")
    with time_machine.travel(at(2027, 1, 13), tick=False):
        enroll_through_checkout(other, [kid], full)
    too_old = wednesday("80.00", min_age_years=10, max_age_years=12)
    _drop, transfer = _urls(org, enrollment)
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        page = client.get(transfer).content.decode()
        assert "Full" in page and "Ages 10-12" in page  # the reasons, before choosing
        for course, reason in [(full, "is full"), (too_old, "Ages 10-12")]:
            refused = client.post(transfer, {"course": course.pk})
            assert refused.status_code == 409 and reason in refused.content.decode()
    _unchanged(enrollment)


def test_changes_not_allowed_online_are_a_message(client, org, setting):  # noqa: F811
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00")
    DropRules.objects.create(organization=org, online=False, transfer_online=False)
    drop, transfer = _urls(org, enrollment)
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        for url, data in [(drop, {}), (transfer, {"course": new.pk})]:
            assert "please contact us" in client.get(url).content.decode()
            refused = client.post(url, data)
            assert refused.status_code == 409 and "please contact us" in refused.content.decode()
    _unchanged(enrollment)


def test_two_drop_clicks_make_one_request_and_then_a_transfer_is_refused(
    client,
    org,
    setting,  # noqa: F811
):
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00")
    DropRules.objects.create(organization=org, approval="request")
    drop, transfer = _urls(org, enrollment)
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        assert client.post(drop).status_code == 302
        assert client.post(drop).status_code == 302
        assert ChangeRequest.objects.filter(status="pending").count() == 1
        page = client.get(drop).content.decode()
        assert "waiting for approval" in page
        refused = client.post(transfer, {"course": new.pk})
        assert refused.status_code == 409
        assert "already waiting for approval" in refused.content.decode()
    assert ChangeRequest.objects.count() == 1
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


def test_a_dropped_class_cannot_be_dropped_or_transferred_again(client, org, setting):  # noqa: F811
    family, enrollment, _waiting, wednesday = setting
    new = wednesday("80.00")
    drop, transfer = _urls(org, enrollment)
    with time_machine.travel(at(2027, 1, 14), tick=False):
        client.force_login(family.guardians.get().user)
        assert client.post(drop).status_code == 302
        assert client.post(drop).status_code == 302  # nothing more
        assert "already dropped" in client.get(transfer).content.decode()
        response = client.post(transfer, {"course": new.pk})
        assert response.status_code in (200, 409) and "already dropped" in response.content.decode()
        for bad in ["x", "", "-3"]:
            assert client.post(transfer, {"course": bad}).status_code in (200, 404)
    assert Enrollment.objects.filter(student=enrollment.student).count() == 1


def test_a_drop_in_the_last_meeting_days_is_a_message(client, org, setting):  # noqa: F811
    family, enrollment, _waiting, _wednesday = setting
    DropRules.objects.create(organization=org, notice="days", notice_days=7)
    drop, _transfer = _urls(org, enrollment)
    last_week = datetime(2027, 3, 16, 10, tzinfo=catalog.CHICAGO)  # the last Monday: the 22nd
    with time_machine.travel(last_week, tick=False):
        client.force_login(family.guardians.get().user)
        assert "less than 7 days away" in client.get(drop).content.decode()
        refused = client.post(drop)
    assert refused.status_code == 409 and "too late" in refused.content.decode()
    _unchanged(enrollment)

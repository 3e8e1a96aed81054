"""The absence and makeup rules in the staff admin: owners edit their own organization's."""

import pytest

from springboard.attendance.models import AttendanceRules
from springboard.tenancy.models import StaffRole
from tests import factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
ADD = "/admin/attendance/attendancerules/add/"
FIELDS = {
    "absences_online": "on",
    "makeups_allowed": "on",
    "cutoff_hours": "2",
    "credit_days": "30",
    "same_program": "on",
    "absence_approval": "automatic",
    "makeup_approval": "request",
}


def test_only_owners_change_the_rules_and_only_their_own(client, org, other_org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(ADD).status_code == 403
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    refused = client.post(ADD, {**FIELDS, "organization": org.pk, "credit_days": "9999"})
    assert refused.status_code == 200 and not AttendanceRules.objects.exists()
    assert client.post(ADD, {**FIELDS, "organization": org.pk}).status_code == 302
    rules = AttendanceRules.objects.get()
    assert (rules.organization, rules.program, rules.makeups_allowed) == (org, None, True)
    assert (rules.absence_approval, rules.makeup_approval) == ("automatic", "request")

    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    change = f"/admin/attendance/attendancerules/{rules.pk}/change/"
    assert client.get(change).status_code in (302, 404)
    assert "Acme" not in client.get("/admin/attendance/attendancerules/").content.decode()


def test_a_program_of_another_organization_is_refused(client, org, other_org):
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    rival_program = catalog.program(other_org)
    response = client.post(ADD, {**FIELDS, "organization": org.pk, "program": rival_program.pk})
    assert response.status_code == 200
    assert not AttendanceRules.objects.exists()
    own = catalog.program(org)
    assert (
        client.post(ADD, {**FIELDS, "organization": org.pk, "program": own.pk}).status_code == 302
    )
    assert AttendanceRules.objects.get().program == own

"""Staff see only their organizations' holds, enrollments and waitlists."""

import pytest

from springboard.booking.models import Enrollment, WaitlistEntry
from springboard.tenancy.models import StaffRole
from tests import factories
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["cartitem", "enrollment", "eventregistration", "partybooking", "waitlistentry"]
)
def test_every_booking_list_opens(client, org, model):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(f"/admin/booking/{model}/").status_code == 200


def test_staff_see_only_their_organizations_rows(client, org, other_org):
    mine = catalog.course(org, name="Acme Tumbling")
    theirs = catalog.course(other_org, name="Rival Diving")
    family, kid = make_family(org)
    rival, rival_kid = make_family(other_org, last_name="Rival")
    Enrollment.objects.create(organization=org, student=kid, course=mine, created_at=NOW)
    other = Enrollment.objects.create(
        organization=other_org, student=rival_kid, course=theirs, created_at=NOW
    )
    WaitlistEntry.objects.create(
        organization=other_org, family=rival, student=rival_kid, course=theirs, joined_at=NOW
    )
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    html = client.get("/admin/booking/enrollment/").content.decode()
    assert "Acme Tumbling" in html and "Rival Diving" not in html
    assert client.get(f"/admin/booking/enrollment/{other.pk}/change/").status_code in (302, 404)
    assert "Rival Diving" not in client.get("/admin/booking/waitlistentry/").content.decode()

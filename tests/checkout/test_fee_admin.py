"""Owners set registration fees; staff look; other organizations see nothing."""

import pytest

from springboard.checkout.models import FeeSchedule
from springboard.tenancy.models import StaffRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_owners_add_fees_staff_only_look_and_rivals_see_nothing(client, org, other_org):
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    response = client.post(
        "/admin/checkout/feeschedule/add/",
        {
            "organization": org.pk,
            "name": "Annual registration",
            "amount": "35.00",
            "applies": "family",
            "frequency": "yearly",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    row = FeeSchedule.objects.get()
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(f"/admin/checkout/feeschedule/{row.pk}/change/").status_code == 200
    assert client.get("/admin/checkout/feeschedule/add/").status_code == 403
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert b"Annual registration" not in client.get("/admin/checkout/feeschedule/").content

"""Staff preview the billing run of their organization, post it, and see past runs and
autopay attempts — never another organization's."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from springboard.billing import autopay
from springboard.billing.models import Charge, ChargeKind
from springboard.billing.payment_methods import save_payment_method
from springboard.booking.models import Enrollment
from springboard.tenancy.models import StaffRole
from springboard.tuition.models import BillingRun
from tests import factories
from tests.billing.factories import DECLINED_CARD, card_token, charge
from tests.booking.conftest import make_family
from tests.catalog import factories as catalog
from tests.tuition.helpers import at

pytestmark = pytest.mark.django_db


def _enrolled(org, last_name="Rivera", tuition="80.00"):
    term = catalog.term(org, start_date=date(2027, 1, 4), end_date=date(2027, 3, 27))
    course = catalog.course(org, term=term, tuition=tuition)
    family, kid = make_family(org, last_name=last_name)
    Enrollment.objects.create(
        organization=org, student=kid, course=course, created_at=at(2027, 1, 5)
    )
    return family


@pytest.fixture(autouse=True)
def _in_february():
    """Logged in and looking on 1 February 2027 (the run of February)."""
    with time_machine.travel(at(2027, 2, 1), tick=False):
        yield


@pytest.fixture
def staff(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


def test_staff_preview_then_post_their_organization_s_run(staff, org, other_org):
    _enrolled(org)
    _enrolled(other_org, last_name="Rival", tuition="55.00")
    with time_machine.travel(at(2027, 2, 1), tick=False):
        page = staff.get("/admin/tuition/billingrun/preview/")
        text = page.content.decode()
        assert page.status_code == 200
        assert "The Rivera Family" in text and "4 of 4 meetings in February 2027" in text
        assert "Rival" not in text and "55.00" not in text
        assert Charge.objects.count() == 0  # a preview posts nothing
        response = staff.post(
            "/admin/tuition/billingrun/preview/", {"organization": org.pk, "total": "80.00"}
        )
        assert response.status_code == 302
        again = staff.post(
            "/admin/tuition/billingrun/preview/", {"organization": org.pk, "total": "80.00"}
        )
        assert again.status_code == 200  # nothing is left: the preview again, a warning
        other = staff.post(
            "/admin/tuition/billingrun/preview/", {"organization": other_org.pk, "total": "55.00"}
        )
        assert other.status_code == 404
        junk = staff.post("/admin/tuition/billingrun/preview/", {"organization": "²", "total": ""})
        assert junk.status_code == 404
    assert Charge.objects.filter(kind=ChargeKind.TUITION).count() == 1
    run = BillingRun.objects.get()
    assert (run.tuition_charges, run.total, run.created_by.is_staff) == (1, Decimal("80.00"), True)
    listing = staff.get("/admin/tuition/billingrun/").content.decode()
    assert "February 2027" in listing
    assert staff.get(f"/admin/tuition/billingrun/{run.pk}/change/").status_code == 200


def test_another_organization_s_run_and_attempts_are_not_found(staff, org, other_org):
    _enrolled(other_org, last_name="Rival")
    with time_machine.travel(at(2027, 1, 10), tick=False):
        family, _kid = make_family(other_org, last_name="Faraway")
        charge(family, "30.00", due_date=date(2027, 2, 1), now=timezone.now())
        save_payment_method(
            organization=other_org,
            family=family,
            token=card_token(other_org, DECLINED_CARD),
            autopay=True,
        )
    with time_machine.travel(at(2027, 2, 1), tick=False):
        from springboard.tuition import runs

        run = runs.post_run(other_org, now=timezone.now())
        [attempt] = autopay.collect(other_org, now=timezone.now())
    assert staff.get(f"/admin/tuition/billingrun/{run.pk}/change/").status_code == 302
    assert "Rival" not in staff.get("/admin/tuition/billingrun/").content.decode()
    assert staff.get(f"/admin/billing/autopayattempt/{attempt.pk}/change/").status_code == 302
    assert "Faraway" not in staff.get("/admin/billing/autopayattempt/").content.decode()


def test_staff_see_their_autopay_attempts_with_outcomes(staff, org):
    with time_machine.travel(at(2027, 1, 10), tick=False):
        family, _kid = make_family(org)
        charge(family, "30.00", due_date=date(2027, 2, 1), now=timezone.now())
        save_payment_method(
            organization=org, family=family, token=card_token(org, DECLINED_CARD), autopay=True
        )
    with time_machine.travel(at(2027, 2, 1), tick=False):
        autopay.collect(org, now=timezone.now())
    page = staff.get("/admin/billing/autopayattempt/").content.decode()
    assert "Declined" in page and "The Rivera Family" in page


def test_only_owners_change_billing_settings(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get("/admin/billing/billingsettings/add/").status_code == 403
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    response = client.post(
        "/admin/billing/billingsettings/add/",
        {"organization": org.pk, "billing_day": "29", "retry_days": "5,2", "balance_due_days": 7},
    )
    assert response.status_code == 200  # errors: day 29, decreasing retries
    assert "1–28" in response.content.decode() or "28" in response.content.decode()
    response = client.post(
        "/admin/billing/billingsettings/add/",
        {"organization": org.pk, "billing_day": "25", "retry_days": "1,3", "balance_due_days": 7},
    )
    assert response.status_code == 302

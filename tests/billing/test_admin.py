"""Staff post charges, credits, allocations, voids and refunds as new rows; nothing posted
can be changed or deleted; other organizations' ledgers are invisible."""

from decimal import Decimal

import pytest

from springboard.billing import balances
from springboard.billing.models import Charge, ChargeVoid, Payment, Refund
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


@pytest.fixture
def family(org):
    return family_factories.family(org)


def test_staff_post_a_charge_as_a_new_row(staff, org, family):
    response = staff.post(
        "/admin/billing/charge/add/",
        {
            "organization": org.pk,
            "family": family.pk,
            "kind": "fee",
            "description": "Lost goggles",
            "amount": "12.50",
            "due_date": "2027-01-15",
            "key": "admin-charge:1",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    charge = Charge.objects.get()
    assert (charge.description, charge.amount) == ("Lost goggles", Decimal("12.50"))
    assert charge.created_by.is_staff


def test_a_bad_amount_in_the_admin_is_a_form_error_and_posts_nothing(staff, org, family):
    response = staff.post(
        "/admin/billing/charge/add/",
        {
            "organization": org.pk,
            "family": family.pk,
            "kind": "fee",
            "description": "Lost goggles",
            "amount": "-3",
            "due_date": "2027-01-15",
            "key": "admin-charge:2",
        },
    )
    assert response.status_code == 200
    assert b"greater than zero" in response.content
    assert not Charge.objects.exists()


def test_posted_rows_open_read_only_and_cannot_be_deleted(staff, family):
    charge = billing.charge(family, "10.00", description="Tuition")
    page = staff.get(f"/admin/billing/charge/{charge.pk}/change/")
    assert page.status_code == 200
    assert b"Tuition" in page.content
    assert b'name="amount"' not in page.content
    response = staff.post(
        f"/admin/billing/charge/{charge.pk}/change/", {"amount": "1.00", "description": "x"}
    )
    assert response.status_code == 403
    assert (
        staff.post(f"/admin/billing/charge/{charge.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Charge.objects.get().amount == Decimal("10.00")


def test_staff_credit_then_void_then_refund_through_the_admin(staff, org, family):
    charge = billing.charge(family, "40.00")
    response = staff.post(
        "/admin/billing/payment/add/",
        {
            "organization": org.pk,
            "family": family.pk,
            "amount": "40.00",
            "note": "Transfer",
            "key": "admin-credit:1",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    credit = Payment.objects.get()
    response = staff.post(
        "/admin/billing/allocation/add/",
        {"organization": org.pk, "payment": credit.pk, "charge": charge.pk, "amount": "40.00"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert balances.balance(family) == Decimal("0.00")
    response = staff.post(
        "/admin/billing/chargevoid/add/",
        {"organization": org.pk, "charge": charge.pk, "reason": "Posted twice"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert ChargeVoid.objects.filter(charge=charge).exists()
    assert balances.credit(family) == Decimal("40.00")
    response = staff.post(
        "/admin/billing/refund/add/",
        {
            "organization": org.pk,
            "payment": credit.pk,
            "amount": "50.00",
            "reason": "Leaving",
            "key": "admin-refund:1",
        },
    )
    assert response.status_code == 200
    assert b"Only $40.00 of this payment is unallocated" in response.content
    response = staff.post(
        "/admin/billing/refund/add/",
        {
            "organization": org.pk,
            "payment": credit.pk,
            "amount": "40.00",
            "reason": "Leaving",
            "key": "admin-refund:1",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Refund.objects.count() == 1
    assert balances.credit(family) == Decimal("0.00")


def test_staff_of_another_organization_see_nothing(client, org, other_org, family):
    charge = billing.charge(family, "10.00", description="Acme tuition")
    payment = billing.payment(family, "10.00")
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert b"Acme tuition" not in client.get("/admin/billing/charge/").content
    for url in (
        f"/admin/billing/charge/{charge.pk}/change/",
        f"/admin/billing/payment/{payment.pk}/change/",
    ):
        response = client.get(url, follow=True)
        assert b"doesn" in response.content
    response = client.post(
        "/admin/billing/charge/add/",
        {
            "organization": org.pk,
            "family": family.pk,
            "kind": "fee",
            "description": "Sneaky",
            "amount": "1.00",
            "due_date": "2027-01-15",
            "key": "admin-charge:3",
        },
    )
    assert response.status_code == 200
    assert Charge.objects.count() == 1


def test_the_payment_admin_never_shows_the_token(staff, family):
    payment = billing.payment(family, "10.00")
    page = staff.get(f"/admin/billing/payment/{payment.pk}/change/")
    assert page.status_code == 200
    assert payment.token.encode() not in page.content
    assert b"4242" in page.content

"""Staff side of discounts: owners add rules and codes (no negative or over-100% discount),
staff look, use counts show, and another organization's rows are not found."""

from decimal import Decimal

import pytest
from django.utils import timezone

from springboard.checkout.models import DiscountRule, Order, OrderStatus, PromoCode
from springboard.tenancy.models import StaffRole
from tests import factories, family_factories

pytestmark = pytest.mark.django_db
RULES = "/admin/checkout/discountrule/"
CODES = "/admin/checkout/promocode/"


def rule_data(org, **fields):
    data = {
        "organization": org.pk,
        "name": "Sibling discount",
        "kind": "sibling",
        "value_type": "percent",
        "value": "10",
        "is_active": "on",
    }
    data.update(fields)
    return data


def code_data(org, **fields):
    data = {
        "organization": org.pk,
        "code": "welcome10",
        "value_type": "percent",
        "value": "10",
        "applies_to": "all",
        "once_per_family": "on",
        "is_active": "on",
    }
    data.update(fields)
    return data


@pytest.fixture
def owner(client, org):
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    return client


@pytest.mark.parametrize(
    ("value_type", "value", "message"),
    [
        ("percent", "-5", "A discount must be more than zero."),
        ("percent", "0", "A discount must be more than zero."),
        ("percent", "100.01", "A discount cannot be more than 100%."),
        ("amount", "-10.00", "A discount must be more than zero."),
    ],
)
def test_negative_and_over_100_percent_discounts_are_refused(
    owner, org, value_type, value, message
):
    for url, data in ((RULES, rule_data), (CODES, code_data)):
        response = owner.post(f"{url}add/", data(org, value_type=value_type, value=value))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not DiscountRule.objects.exists() and not PromoCode.objects.exists()


def test_owners_add_rules_and_codes_and_codes_are_stored_in_capitals(owner, org):
    assert owner.post(f"{RULES}add/", rule_data(org, value="100")).status_code == 302
    assert (
        owner.post(f"{RULES}add/", rule_data(org, value_type="amount", value="150.00")).status_code
        == 302
    )
    assert owner.post(f"{CODES}add/", code_data(org)).status_code == 302
    assert PromoCode.objects.get().code == "WELCOME10"
    again = owner.post(f"{CODES}add/", code_data(org, code="Welcome10"))
    assert again.status_code == 200 and PromoCode.objects.count() == 1
    bad = owner.post(f"{CODES}add/", code_data(org, code="10% OFF!"))
    assert "Use letters, digits and dashes only." in bad.content.decode()
    dates = owner.post(
        f"{CODES}add/",
        code_data(org, code="LATE", valid_from="2027-02-01", valid_until="2027-01-01"),
    )
    assert "The last day comes before the first." in dates.content.decode()


def test_use_counts_show_paid_orders_only(owner, org):
    code = PromoCode.objects.create(organization=org, code="WELCOME10", value=Decimal("10"))
    family = family_factories.family(org)
    now = timezone.now()
    for status in (OrderStatus.CONFIRMED, OrderStatus.PENDING, OrderStatus.CANCELLED):
        Order.objects.create(
            organization=org,
            family=family,
            status=status,
            created_at=now,
            expires_at=now,
            total=Decimal("1.00"),
            due_now=Decimal("1.00"),
            priced_on=now.date(),
            promo_code=code,
        )
    page = owner.get(CODES).content.decode()
    assert '<td class="field-uses">1</td>' in page


def test_staff_look_and_other_organizations_get_not_found(client, org, other_org):
    rule = DiscountRule.objects.create(
        organization=org, name="Acme sibling deal", kind="sibling", value=Decimal("10")
    )
    code = PromoCode.objects.create(organization=org, code="WELCOME10", value=Decimal("10"))
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(f"{RULES}{rule.pk}/change/").status_code == 200
    assert client.get(f"{RULES}add/").status_code == 403
    assert client.get(f"{CODES}add/").status_code == 403
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    for url in (f"{RULES}{rule.pk}/change/", f"{CODES}{code.pk}/change/"):
        response = client.get(url, follow=True)
        assert response.status_code in (302, 404) or b"doesn" in response.content
        assert b"WELCOME10" not in response.content
    assert b"WELCOME10" not in client.get(CODES).content
    assert b"Acme sibling deal" not in client.get(RULES).content
    posted = client.post(f"{CODES}{code.pk}/change/", code_data(other_org, value="90"))
    code.refresh_from_db()
    assert code.value == Decimal("10")
    assert posted.status_code in (302, 404)

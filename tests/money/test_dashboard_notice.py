"""The dashboard tells a logged-in family what it owes and leads to Payments."""

import pytest

from tests import family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    return family_factories.family(org)


def test_outstanding_notice_with_the_amount(client, family):
    billing.charge(family, "40.00")
    billing.charge(family, "12.50")
    client.force_login(family.guardians.get().user)
    body = client.get("/acme/dashboard/").content.decode()
    assert 'data-testid="outstanding-notice"' in body
    assert "$52.50" in body
    assert "/acme/account/payments/" in body


def test_no_notice_when_paid_or_in_credit(client, family):
    billing.credit(family, "50.00")
    client.force_login(family.guardians.get().user)
    assert b"outstanding-notice" not in client.get("/acme/dashboard/").content


def test_no_notice_for_visitors(client, org):
    assert b"outstanding-notice" not in client.get("/acme/dashboard/").content

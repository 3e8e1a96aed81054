"""An organization's closures, fee schedules and discount rules from the shared cache (issue
17, item 3; docs/performance.md, "third pass: reads"): read once, then from the cache, and
every save or delete by staff shows on the next read; never another organization's."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from springboard.catalog.schedule import closures_for
from springboard.checkout import rules_cache
from springboard.checkout.models import DiscountRule, FeeSchedule
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _queries(read):
    with CaptureQueriesContext(connection) as captured:
        value = read()
    return value, len(captured)


def test_closures_are_read_once_and_every_change_shows_at_once(org, other_org):
    first = catalog.closure(org, date(2027, 1, 4))
    catalog.closure(other_org, date(2027, 1, 5))
    assert closures_for(org) == [first]
    assert _queries(lambda: closures_for(org)) == ([first], 0)  # from the cache now
    second = catalog.closure(org, date(2027, 2, 1))
    assert closures_for(org) == [first, second]  # a new one at once
    first.delete()
    assert closures_for(org) == [second]
    # By location as the database filters: the organization-wide ones and the location's.
    location = org.location_set.first()
    elsewhere = catalog.closure(org, date(2027, 3, 1), location=location)
    assert closures_for(org, location_ids=[location.pk]) == [second, elsewhere]
    assert closures_for(org, location_ids=[location.pk + 1000]) == [second]
    assert [c.organization_id for c in closures_for(other_org)] == [other_org.pk]


def test_fee_schedules_and_discount_rules_are_read_once_and_changes_show_at_once(org, other_org):
    fee = FeeSchedule.objects.create(organization=org, name="Registration", amount=Decimal(25))
    DiscountRule.objects.create(
        organization=other_org, name="Theirs", kind="sibling", value=Decimal(10)
    )
    assert rules_cache.active(org) == ([fee], [])
    assert _queries(lambda: rules_cache.active(org)) == (([fee], []), 0)
    rule = DiscountRule.objects.create(
        organization=org, name="Sibling", kind="sibling", value=Decimal(10)
    )
    assert rules_cache.active(org) == ([fee], [rule])
    fee.is_active = False
    fee.save()
    assert rules_cache.active(org) == ([], [rule])
    rule.delete()
    assert rules_cache.active(org) == ([], [])
    assert [r.name for r in rules_cache.active(other_org)[1]] == ["Theirs"]


def test_without_a_shared_cache_they_are_read_from_the_database(settings, org):
    settings.SHARED_CACHE = False
    catalog.closure(org, date(2027, 1, 4))
    closures_for(org)
    _value, queries = _queries(lambda: closures_for(org))
    assert queries == 1

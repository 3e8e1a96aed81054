"""Which transaction policies an order shows: a policy's "applies to" decides, not its title
(docs/checkout.md); and migration families 0007 set it for existing policies from the title."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from springboard.catalog.models import TuitionPeriod
from springboard.checkout.policies import transaction_policies
from springboard.families.models import Policy, PolicyAppliesTo, PolicyKind
from tests import family_factories
from tests.catalog import factories as catalog
from tests.checkout.helpers import start

pytestmark = pytest.mark.usefixtures("clock")


def _order_for(client, org, family, period):
    _fam, student = family
    course = catalog.course(org, tuition="100.00", tuition_period=period)
    response = client.post("/acme/cart/add/class/", {"course": course.pk, "student": [student.pk]})
    assert response.status_code == 302
    return start(client)


@pytest.mark.django_db
@pytest.mark.parametrize("monthly_order", [False, True])
def test_applies_to_decides_whatever_the_title_says(logged_in, org, family, monthly_order):
    marked_monthly = family_factories.policy(
        org,
        kind=PolicyKind.TRANSACTION,
        title="Payment terms",
        applies_to=PolicyAppliesTo.MONTHLY_TUITION,
    )
    every_order = family_factories.policy(
        org,
        kind=PolicyKind.TRANSACTION,
        title="Monthly and recurring billing",
        applies_to=PolicyAppliesTo.EVERY_ORDER,
    )
    period = TuitionPeriod.MONTH if monthly_order else TuitionPeriod.TERM
    shown = transaction_policies(_order_for(logged_in, org, family, period))
    expected = {every_order, marked_monthly} if monthly_order else {every_order}
    assert set(shown) == expected


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_old_policies_from_their_title(org):
    executor = MigrationExecutor(connection)
    executor.migrate([("families", "0006_calendar_feed")])
    try:
        old = executor.loader.project_state([("families", "0006_calendar_feed")]).apps
        OldPolicy = old.get_model("families", "Policy")
        titles = {
            "Recurring payments": PolicyKind.TRANSACTION,
            "Billed MONTHLY": PolicyKind.TRANSACTION,
            "Mensual": PolicyKind.TRANSACTION,
            "Refund policy": PolicyKind.TRANSACTION,
            "Monthly newsletter": PolicyKind.FAMILY,
        }
        for title, kind in titles.items():
            OldPolicy.objects.create(
                organization_id=org.pk, kind=kind, title=title, title_en=title, text="Words."
            )
        OldPolicy.objects.filter(title="Mensual").update(title_es="Pago mensual o monthly")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    marked = dict(Policy.objects.values_list("title_en", "applies_to"))
    assert marked == {
        "Recurring payments": PolicyAppliesTo.MONTHLY_TUITION,
        "Billed MONTHLY": PolicyAppliesTo.MONTHLY_TUITION,
        "Mensual": PolicyAppliesTo.MONTHLY_TUITION,
        "Refund policy": PolicyAppliesTo.EVERY_ORDER,
        "Monthly newsletter": PolicyAppliesTo.EVERY_ORDER,
    }

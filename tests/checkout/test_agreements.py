"""The transaction policies ticked on the pay form, recorded when the order is confirmed
(docs/checkout.md): one agreement per ticked policy, to its current version, in one read and
one INSERT whatever their number (docs/performance.md, "The pay step, cheaper")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from springboard.families.models import PolicyAgreement, PolicyKind
from tests import family_factories
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _transaction_policy(org, title: str, *, required: bool = True):
    return family_factories.policy(org, kind=PolicyKind.TRANSACTION, title=title, required=required)


def _pay(client, org, family, policies, django_capture_on_commit_callbacks) -> int:
    cart_with_two_students(client, org, family)
    order = start(client)
    data = pay_data(org, order, policy=[policy.pk for policy in policies])
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/acme/cart/checkout/", data)
    assert response.status_code == 302, response
    return len(captured)


def test_each_ticked_policy_is_agreed_at_its_current_version(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    terms = _transaction_policy(org, "Payment terms")
    terms.text = "The new words of the payment terms."
    terms.save()  # version 2: the one agreed to
    refunds = _transaction_policy(org, "Refunds")
    photos = _transaction_policy(org, "Photos", required=False)  # not ticked
    _pay(logged_in, org, family, [terms, refunds], django_capture_on_commit_callbacks)
    fam, _student = family
    agreed = {
        row.version.policy_id: row
        for row in PolicyAgreement.objects.filter(family=fam, version__policy__kind="transaction")
    }
    assert set(agreed) == {terms.pk, refunds.pk}
    assert photos.pk not in agreed
    assert agreed[terms.pk].version.number == 2
    assert agreed[terms.pk].version == terms.current_version
    assert agreed[refunds.pk].version == refunds.current_version
    row = agreed[refunds.pk]
    assert (row.organization, row.family, row.accepted) == (org, fam, True)
    assert row.user == fam.guardians.get().user
    assert row.ip_address == "127.0.0.1"
    assert row.signature


def test_paying_does_not_grow_with_the_policies_agreed(
    client, org, django_capture_on_commit_callbacks
):
    from tests.booking.conftest import make_family

    counts, policies = [], []
    for number, how_many in enumerate((1, 4)):
        policies += [_transaction_policy(org, f"Terms {number}-{n}") for n in range(how_many)]
        family = make_family(org, last_name=f"Family{number}")
        client.force_login(family[0].guardians.get().user)
        counts.append(_pay(client, org, family, policies, django_capture_on_commit_callbacks))
    # The first family agrees to one policy, the second to five: the same queries.
    assert counts[1] == counts[0], counts

"""The family's ledger lock is taken once per transaction (issue 17, item 3), and again
whenever PostgreSQL would have released it: in the next transaction, and after rolling back
to a savepoint taken before it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from springboard.billing.services import lock_family
from tests import family_factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]  # SQLite: no row locks


def _locks(captured) -> int:
    return sum("FOR NO KEY UPDATE" in q["sql"] or "FOR UPDATE" in q["sql"] for q in captured)


@transaction.atomic
def _lock_in_a_decorated_transaction(org, family):
    lock_family(org, family)


def test_once_in_a_transaction_again_in_the_next(org):
    family = family_factories.family(org)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        lock_family(org, family)
        lock_family(org, family)
        with transaction.atomic():  # a savepoint released: the lock is still held
            lock_family(org, family)
        lock_family(org, family)
    assert _locks(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        # the same decorated block object twice: two transactions, two locks
        _lock_in_a_decorated_transaction(org, family)
        _lock_in_a_decorated_transaction(org, family)
    assert _locks(captured) == 2


def test_again_after_its_savepoint_was_rolled_back(org):
    family = family_factories.family(org)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        try:
            with transaction.atomic():
                lock_family(org, family)
                raise RuntimeError
        except RuntimeError:
            pass
        lock_family(org, family)  # PostgreSQL released it with the savepoint
    assert _locks(captured) == 2


def test_another_family_is_locked_too(org):
    one, two = family_factories.family(org), family_factories.family(org, last_name="Okafor")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        lock_family(org, one)
        lock_family(org, two)
        lock_family(org, one)
    assert _locks(captured) == 2

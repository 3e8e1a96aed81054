"""The family's ledger lock (docs/billing.md): every row of a family's ledger is written only
while holding it, so two requests of one family queue and neither sees the other half-done.
Split from billing/services.py, which re-exports it."""

from django.db import transaction

from springboard.billing.errors import WrongFamily
from springboard.core.prepared import Prepared
from springboard.families.models import Family

__all__ = ["lock_family"]


def _check_family(organization, family) -> None:
    if family.organization_id != organization.pk:
        raise WrongFamily()


def _lock(family_id: int, organization_id: int):
    return (
        Family.objects.filter(pk=family_id, organization_id=organization_id)
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


# Compiled once per process (core.prepared): the booking path takes this lock three times
# (checkout start, recording the payment, confirm); it reads only the id.
_LOCK = Prepared(_lock)


def lock_family(organization, family) -> Family:
    """Take the family's ledger lock (a row lock on the family; a no-op on SQLite, whose
    IMMEDIATE transactions already serialise writers). Call inside transaction.atomic().
    Returns `family` (the row is locked, not read again: only its id is selected).

    Taken once per transaction (issue 17): posting a charge and allocating to it inside
    `confirm` do not lock the row again. PostgreSQL holds a row lock to the end of the
    transaction, except that rolling back to a savepoint releases the locks taken after it.
    Django's on-commit list follows exactly those rules (cleared at commit and rollback; a
    rolled-back savepoint drops what was registered after it), so the lock is remembered as
    a no-op on-commit callback, and a later call takes it again only when that is gone."""
    _check_family(organization, family)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(func, _HeldLock) and func.family_pk == family.pk
        for _sids, func, _robust in connection.run_on_commit
    ):
        return family
    if not connection.in_atomic_block:  # the ORM's own refusal (or SQLite's no-op)
        return Family.objects.select_for_update(no_key=True).get(
            pk=family.pk, organization=organization
        )
    if not _LOCK(family_id=family.pk, organization_id=organization.pk):
        raise Family.DoesNotExist("Family matching query does not exist.")
    transaction.on_commit(_HeldLock(family.pk))
    return family


class _HeldLock:
    """An on-commit callback that does nothing: its presence says the lock is held."""

    def __init__(self, family_pk: int):
        self.family_pk = family_pk

    def __call__(self) -> None:
        return None

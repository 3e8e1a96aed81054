"""The one way to take a seat: a short transaction that first locks what is sold.

Rules (docs/booking.md):
- lock the rows of what is being sold (Course, EventDay or PartySlot) *once* per transaction,
  all of them in one statement, in ascending primary-key order, so two transactions wanting
  the same rows queue in the same order and never deadlock;
- with `SET LOCAL lock_timeout` (PostgreSQL), so a crowd waits at most LOCK_TIMEOUT and then
  gets a polite "try again" (BookingBusy → HTTP 409) instead of piling up;
- as NO KEY UPDATE locks: the rows are locked to change what is sold, not to delete them,
  so inserting rows that point at them (holds, enrollments, waitlist entries, order lines)
  is not blocked by the foreign-key check (FOR KEY SHARE);
- then recompute availability and write the hold, and commit at once.
On SQLite `select_for_update` is a no-op; the database's IMMEDIATE transactions serialise
writers instead.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from springboard.core.prepared import Prepared, padded

LOCK_TIMEOUT = "3s"


class BookingError(Exception):
    """A refusal a family can read (shown as a message; nothing changed)."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BookingBusy(BookingError):
    """The lock was not granted in time: many families are booking the same thing."""

    status = 409

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Many families are booking right now — please try again."))


def _lock_statement(model):
    def build(ids: tuple[int, ...]):
        return (
            model._default_manager.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    return build


# The lock statement of each model, compiled once per process (core.prepared): every add,
# checkout and payment takes one, and building it through the tenant and translation managers
# cost more than running it (docs/performance.md, "pagecost").
_LOCKS: dict[type, Prepared] = {}


def _lock(model, ordered: list[int]) -> None:
    """SELECT … FOR NO KEY UPDATE of the rows, in ascending order, in one statement."""
    ids = padded(ordered)  # a few lengths (the last id repeated: the same row, locked once)
    if ids is None:
        list(_lock_statement(model)(tuple(ordered)))
        return
    statement = _LOCKS.get(model)
    if statement is None:
        statement = _LOCKS.setdefault(model, Prepared(_lock_statement(model)))
    statement(ids=ids)


@contextmanager
def locked(model, pks: Iterable[int], *, lock: bool = True):
    """A transaction holding row locks on `model` rows `pks` (sorted, once, with a timeout)."""
    ordered = sorted(set(pks))
    try:
        with transaction.atomic():
            if lock and ordered:
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                _lock(model, ordered)
            yield
    except OperationalError as error:
        # LockNotAvailable (lock_timeout) or, on SQLite, "database is locked".
        raise BookingBusy() from error


@contextmanager
def locked_reading(read, *, lock: bool = True):
    """`locked` for one kind of row that its own read locks: `read(lock)` selects the rows
    (FOR NO KEY UPDATE OF them when `lock`, in ascending order) with what the caller needs of
    them, so the lock and the fresh read are one statement; yields what it read."""
    try:
        with transaction.atomic():
            if lock and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            yield read(lock)
    except OperationalError as error:
        raise BookingBusy() from error


@contextmanager
def locked_many(groups, *, lock: bool = True):
    """One transaction locking several kinds of sold rows: `groups` is a sequence of
    (model, pks) in the fixed order every caller uses (courses, then event days, then party
    slots), each kind by ascending id, with one lock timeout for all (docs/booking.md)."""
    try:
        with transaction.atomic():
            if lock:
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                for model, pks in groups:
                    ordered = sorted(set(pks))
                    if ordered:
                        _lock(model, ordered)
            yield
    except OperationalError as error:
        raise BookingBusy() from error

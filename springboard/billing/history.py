"""A family's ledger as one list: every charge, void, payment (declined attempts too),
allocation and refund, with a running balance — in a constant number of queries.

The running balance is what the family owes net of credit (positive: owed; negative: in
credit): charges add, voids and succeeded payments (credit adjustments included) subtract,
refunds add back (one the gateway refused is left out), allocations and declined attempts
move nothing (they are shown for the record). It equals
`balances.balance(family) - balances.credit(family)`.

One SQL statement (a UNION ALL of the five ledger tables with a window SUM over it) gives a
page with its running balances, newest first; it runs the same on SQLite (3.25+) and
PostgreSQL.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.utils.dateparse import parse_datetime

from springboard.billing import descriptions
from springboard.billing.models import (
    Allocation,
    Charge,
    ChargeVoid,
    Payment,
    Refund,
    RefundOutcome,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # charge, void, payment, allocation, refund
    id: int
    amount: Decimal  # the row's own amount (always positive)
    delta: Decimal  # what it does to the running balance
    label: str
    extra: str
    status: str
    method: str
    running: Decimal
    # A charge's discounts, each "Sibling discount — Leo: −$10.00" (docs/billing.md,
    # "Discounts and promo codes"): shown as their own lines under the charge.
    discounts: tuple[str, ...] = ()

    @property
    def moves(self) -> bool:
        return bool(self.delta)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "charge": quote(Charge._meta.db_table),
        "void": quote(ChargeVoid._meta.db_table),
        "payment": quote(Payment._meta.db_table),
        "allocation": quote(Allocation._meta.db_table),
        "refund": quote(Refund._meta.db_table),
        "outcome": quote(RefundOutcome._meta.db_table),
    }


def _union() -> str:
    t = _tables()
    return f"""
        SELECT c.created_at AS at, 1 AS ord, 'charge' AS kind, c.id AS id,
               c.amount AS amount, c.amount AS delta, c.description AS label,
               CAST(c.due_date AS VARCHAR(10)) AS extra, '' AS status, c.kind AS method,
               c.description_key AS label_key, c.description_args AS label_args,
               c.computation_key AS detail_key, c.computation_args AS detail_args
          FROM {t["charge"]} c WHERE c.family_id = %s
        UNION ALL
        SELECT v.created_at, 2, 'void', v.id, c.amount, -c.amount, c.description, v.reason,
               '', c.kind, c.description_key, c.description_args, '', NULL
          FROM {t["void"]} v JOIN {t["charge"]} c ON c.id = v.charge_id WHERE c.family_id = %s
        UNION ALL
        SELECT p.created_at, 3, 'payment', p.id, p.amount,
               CASE WHEN p.status = 'succeeded' THEN -p.amount ELSE 0 END,
               CASE WHEN p.method = 'credit' THEN p.note ELSE p.brand END, p.last4, p.status,
               p.method, '', NULL, '', NULL
          FROM {t["payment"]} p WHERE p.family_id = %s
        UNION ALL
        SELECT a.created_at, 4, 'allocation', a.id, a.amount, 0, c.description,
               CASE WHEN p.method = 'credit' THEN 'credit' ELSE p.last4 END, '', p.method,
               c.description_key, c.description_args, '', NULL
          FROM {t["allocation"]} a JOIN {t["charge"]} c ON c.id = a.charge_id
          JOIN {t["payment"]} p ON p.id = a.payment_id WHERE p.family_id = %s
        UNION ALL
        SELECT r.created_at, 5, 'refund', r.id, r.amount, r.amount, r.reason, p.last4, '',
               p.method, '', NULL, '', NULL
          FROM {t["refund"]} r JOIN {t["payment"]} p ON p.id = r.payment_id
          LEFT JOIN {t["outcome"]} o ON o.refund_id = r.id
         WHERE p.family_id = %s AND (o.id IS NULL OR o.succeeded)
    """  # noqa: S608 - table names come from the models, values are parameters


def _with_running() -> str:
    return f"""
        SELECT u.*, SUM(u.delta) OVER (
                 ORDER BY u.at, u.ord, u.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
               ) AS running
          FROM ({_union()}) u
    """  # noqa: S608


def _money(value) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(CENT)


def _when(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _json(args):
    return json.loads(args) if isinstance(args, str) else args


def _label(label, key, args) -> str:
    """A charge's words in the reader's (the active) language (billing.descriptions); other
    rows' labels (staff's reasons, card brands) as stored."""
    return descriptions.render_or(key or "", _json(args), label or "")


def _entries(rows) -> list[Entry]:
    return [
        Entry(
            at=_when(at),
            kind=kind,
            id=pk,
            amount=_money(amount),
            delta=_money(delta),
            label=_label(label, key, args),
            extra=extra or "",
            status=status or "",
            method=method or "",
            running=_money(running),
            discounts=tuple(descriptions.discounts_taken(detail_key or "", _json(detail_args))),
        )
        for (
            at,
            _ord,
            kind,
            pk,
            amount,
            delta,
            label,
            extra,
            status,
            method,
            key,
            args,
            detail_key,
            detail_args,
            running,
        ) in rows
    ]


def _params(family) -> list:
    return [family.pk] * 5


def _adapt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def count(family) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({_union()}) u", _params(family))  # noqa: S608
        return cursor.fetchone()[0]


def page(family, *, offset: int, limit: int) -> list[Entry]:
    """Newest first, each with the running balance after it."""
    sql = f"""SELECT * FROM ({_with_running()}) w
              ORDER BY w.at DESC, w.ord DESC, w.id DESC LIMIT %s OFFSET %s"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_params(family), limit, offset])
        return _entries(cursor.fetchall())


class HistoryList:
    """A sequence for django.core.paginator.Paginator: count() is one query and each slice
    is one query, whatever the size of the ledger."""

    def __init__(self, family) -> None:
        self.family = family

    def count(self) -> int:
        return count(self.family)

    def __len__(self) -> int:  # pragma: no cover - Paginator prefers count()
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("HistoryList supports slices only")
        start = index.start or 0
        return page(self.family, offset=start, limit=max(index.stop - start, 0))


@dataclass(frozen=True)
class Statement:
    start: datetime
    end: datetime
    opening: Decimal
    closing: Decimal
    entries: list[Entry]  # oldest first

    @property
    def charged(self) -> Decimal:
        return sum((e.delta for e in self.entries if e.kind == "charge"), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return -sum((e.delta for e in self.entries if e.kind == "payment"), Decimal("0.00"))


def statement(family, *, start: datetime, end: datetime) -> Statement:
    """Rows with start <= at < end, oldest first, with the balance before and after (two
    queries)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(u.delta) FROM ({_union()}) u WHERE u.at < %s",  # noqa: S608
            [*_params(family), _adapt(start)],
        )
        opening = _money(cursor.fetchone()[0])
        cursor.execute(
            f"""SELECT * FROM ({_with_running()}) w WHERE w.at >= %s AND w.at < %s
                ORDER BY w.at, w.ord, w.id""",  # noqa: S608
            [*_params(family), _adapt(start), _adapt(end)],
        )
        entries = _entries(cursor.fetchall())
    closing = entries[-1].running if entries else opening
    return Statement(start=start, end=end, opening=opening, closing=closing, entries=entries)

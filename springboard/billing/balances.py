"""Balance, credit and what is open, computed from the ledger with aggregate queries.

Definitions (docs/billing.md):
- a charge counts unless it is voided;
- an allocation counts when its charge counts (a void frees it back into credit);
- a payment counts when it succeeded;
- a refund counts unless the gateway refused it (a refund awaiting the gateway's answer
  keeps its money reserved).
balance = counting charges − counting allocations
credit  = counting payments − counting allocations − refunds
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from springboard.billing.models import Allocation, Charge, Payment, PaymentStatus, Refund
from springboard.core.money import ZERO
from springboard.core.prepared import Prepared
from springboard.families.models import Family

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(queryset, field: str = "amount") -> Decimal:
    total = queryset.aggregate(total=Coalesce(Sum(field), Value(ZERO), output_field=_MONEY))
    return Decimal(total["total"]).quantize(Decimal("0.01"))


def _cents(expression):
    """Round a difference of sums to cents in SQL: SQLite does decimal arithmetic in binary
    floating point (7.53 - 3.39 is 4.1399999…), which would both show and filter wrongly
    (a paid charge "owing" 1e-15). PostgreSQL's numeric is exact; rounding is a no-op there."""
    return Round(expression, 2, output_field=_MONEY)


def counting_allocations():
    return Allocation.objects.filter(charge__void__isnull=True)


def counting_refunds():
    return Refund.objects.filter(Q(outcome__isnull=True) | Q(outcome__succeeded=True))


@dataclass(frozen=True)
class FamilyTotals:
    charged: Decimal
    allocated: Decimal
    paid: Decimal
    refunded: Decimal

    @property
    def balance(self) -> Decimal:
        return self.charged - self.allocated

    @property
    def credit(self) -> Decimal:
        return self.paid - self.allocated - self.refunded


def _family_sum(queryset, family_path: str):
    """The amounts of `queryset` for the outer family row, as a scalar subquery."""
    per_family = (
        queryset.filter(**{family_path: OuterRef("pk")})
        .order_by()
        .values(family_path)
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(per_family, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def _cent(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _totals(family_id: int):
    return (
        Family._base_manager.filter(pk=family_id)
        .annotate(
            charged=_family_sum(Charge.objects.filter(void__isnull=True), "family"),
            allocated=_family_sum(counting_allocations(), "charge__family"),
            paid=_family_sum(Payment.objects.filter(status=PaymentStatus.SUCCEEDED), "family"),
            refunded=_family_sum(counting_refunds(), "payment__family"),
        )
        .order_by()
        .values("charged", "allocated", "paid", "refunded")[:1]
    )


# Compiled once per process, the family bound on each call (core.prepared: building the four
# subqueries cost more CPU than running them; docs/performance.md, "third pass: reads").
_TOTALS = Prepared(_totals)


def family_totals(family) -> FamilyTotals:
    """The four sums in one query (issue 17: the checkout and dashboard read them on every
    page; four round trips were a tenth of a page's queries)."""
    rows = _TOTALS(family_id=family.pk)
    if not rows:
        return FamilyTotals(ZERO, ZERO, ZERO, ZERO)
    return FamilyTotals(**{name: _cent(value) for name, value in rows[0].items()})


def balance(family) -> Decimal:
    return family_totals(family).balance


def credit(family) -> Decimal:
    return family_totals(family).credit


def charge_open_amount(charge) -> Decimal:
    """What is still owed on a charge (zero once voided)."""
    if Charge.objects.filter(pk=charge.pk, void__isnull=False).exists():
        return ZERO
    return charge.amount - _sum(counting_allocations().filter(charge=charge))


def payment_unallocated_amount(payment) -> Decimal:
    """What of a succeeded payment is neither allocated (to a counting charge) nor refunded."""
    if payment.status != PaymentStatus.SUCCEEDED:
        return ZERO
    allocated = _sum(counting_allocations().filter(payment=payment))
    refunded = _sum(counting_refunds().filter(payment=payment))
    return payment.amount - allocated - refunded


def with_open_amount(charges):
    """Annotate `open_amount` on a queryset of charges in one query (lists of outstanding)."""
    allocated = (
        Allocation.objects.filter(charge=OuterRef("pk"))
        .order_by()
        .values("charge")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return charges.annotate(
        allocated=Coalesce(
            Subquery(allocated, output_field=_MONEY), Value(ZERO), output_field=_MONEY
        )
    ).annotate(open_amount=_cents(F("amount") - F("allocated")))


def outstanding_charges(family):
    """Counting charges with something still owed, oldest due first."""
    return (
        with_open_amount(Charge.objects.filter(family=family, void__isnull=True))
        .filter(open_amount__gt=0)
        .order_by("due_date", "id")
    )


def with_unallocated_amount(payments):
    """Annotate `unallocated` on succeeded payments (allocations to voided charges excluded)."""
    allocated = (
        Allocation.objects.filter(payment=OuterRef("pk"), charge__void__isnull=True)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    refunded = (
        counting_refunds()
        .filter(payment=OuterRef("pk"))
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        payments.filter(status=PaymentStatus.SUCCEEDED)
        .annotate(
            allocated_total=Coalesce(
                Subquery(allocated, output_field=_MONEY), Value(ZERO), output_field=_MONEY
            ),
            refunded_total=Coalesce(
                Subquery(refunded, output_field=_MONEY), Value(ZERO), output_field=_MONEY
            ),
        )
        .annotate(unallocated=_cents(F("amount") - F("allocated_total") - F("refunded_total")))
    )


def payments_with_credit(family):
    """The family's payments that still hold credit, oldest first (credit is spent FIFO)."""
    return (
        with_unallocated_amount(Payment.objects.filter(family=family))
        .filter(unallocated__gt=0)
        .order_by("created_at", "id")
    )


__all__ = [
    "FamilyTotals",
    "balance",
    "charge_open_amount",
    "credit",
    "family_totals",
    "outstanding_charges",
    "payment_unallocated_amount",
    "payments_with_credit",
    "with_open_amount",
    "with_unallocated_amount",
]

"""Ledger invariants under random sequences of charges, payments, allocations, credit
applications, voids and refunds (a bounded, derandomised hypothesis state machine).

A plain-Python model predicts every answer; after every step the database's balance and credit
must equal the model's sums, and no payment or charge may be over-allocated."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from springboard.billing import balances, services
from springboard.billing.errors import AlreadyVoided, InvalidAmount
from springboard.billing.models import Allocation, Refund
from springboard.core.money import ZERO
from tests import factories, family_factories
from tests.billing import factories as billing

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("-2.00"), max_value=Decimal("300.00"), places=2)
picks = st.integers(min_value=0, max_value=1000)


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def open_a_family(self):
        self.org = factories.organization()
        self.family = family_factories.family(self.org)
        self.now = timezone.now()
        self.charges: list[dict] = []  # {"row", "amount", "voided"}
        self.payments: list[dict] = []  # {"row", "amount"}
        self.allocations: list[tuple[int, int, Decimal]] = []  # payment index, charge index
        self.refunds: dict[int, Decimal] = {}
        self.keys = 0

    # --- the model -------------------------------------------------------------------------
    def allocated_to_charge(self, c: int) -> Decimal:
        if self.charges[c]["voided"]:
            return ZERO
        return sum((a for _, ci, a in self.allocations if ci == c), ZERO)

    def open_on(self, c: int) -> Decimal:
        return (
            ZERO
            if self.charges[c]["voided"]
            else self.charges[c]["amount"] - self.allocated_to_charge(c)
        )

    def unallocated(self, p: int) -> Decimal:
        allocated = sum(
            (a for pi, ci, a in self.allocations if pi == p and not self.charges[ci]["voided"]),
            ZERO,
        )
        return self.payments[p]["amount"] - allocated - self.refunds.get(p, ZERO)

    def model_balance(self) -> Decimal:
        return sum((self.open_on(c) for c in range(len(self.charges))), ZERO)

    def model_credit(self) -> Decimal:
        return sum((self.unallocated(p) for p in range(len(self.payments))), ZERO)

    def key(self) -> str:
        self.keys += 1
        return f"machine-{self.keys}"

    # --- rules -----------------------------------------------------------------------------
    @rule(amount=amounts)
    def post_charge(self, amount):
        if amount <= 0:
            with pytest.raises(InvalidAmount):
                billing.charge(self.family, str(amount))
            return
        row = billing.charge(self.family, str(amount), now=self.now)
        self.charges.append({"row": row, "amount": amount, "voided": False})

    @rule(amount=amounts, by_card=st.booleans())
    def receive_payment(self, amount, by_card):
        if amount <= 0:
            with pytest.raises(InvalidAmount):
                billing.credit(self.family, str(amount))
            return
        if by_card:
            row = billing.payment(self.family, str(amount), key=self.key())
        else:
            row = billing.credit(self.family, str(amount))
        self.payments.append({"row": row, "amount": amount})

    @precondition(lambda self: self.charges and self.payments)
    @rule(p=picks, c=picks, amount=amounts)
    def allocate(self, p, c, amount):
        p %= len(self.payments)
        c %= len(self.charges)
        call = {
            "organization": self.org,
            "payment": self.payments[p]["row"],
            "charge": self.charges[c]["row"],
            "amount": str(amount),
            "now": self.now,
        }
        if self.charges[c]["voided"] and amount > 0:
            with pytest.raises(AlreadyVoided):
                services.allocate(**call)
        elif amount <= 0 or amount > self.open_on(c) or amount > self.unallocated(p):
            with pytest.raises(InvalidAmount):
                services.allocate(**call)
        else:
            services.allocate(**call)
            self.allocations.append((p, c, amount))

    @precondition(lambda self: self.charges)
    @rule(c=picks, amount=amounts)
    def apply_credit(self, c, amount):
        c %= len(self.charges)
        call = {
            "organization": self.org,
            "family": self.family,
            "charge": self.charges[c]["row"],
            "amount": str(amount),
            "now": self.now,
        }
        if self.charges[c]["voided"] and amount > 0:
            with pytest.raises(AlreadyVoided):
                services.apply_credit(**call)
        elif amount <= 0 or amount > self.open_on(c) or amount > self.model_credit():
            with pytest.raises(InvalidAmount):
                services.apply_credit(**call)
        else:
            made = services.apply_credit(**call)
            assert sum(a.amount for a in made) == amount
            index = {self.payments[i]["row"].pk: i for i in range(len(self.payments))}
            for allocation in made:
                self.allocations.append((index[allocation.payment_id], c, allocation.amount))

    @precondition(lambda self: self.charges)
    @rule(c=picks)
    def void(self, c):
        c %= len(self.charges)
        call = {
            "organization": self.org,
            "charge": self.charges[c]["row"],
            "reason": "test",
            "now": self.now,
            "actor": None,
        }
        if self.charges[c]["voided"]:
            with pytest.raises(AlreadyVoided):
                services.void_charge(**call)
        else:
            services.void_charge(**call)
            self.charges[c]["voided"] = True

    @precondition(lambda self: self.payments)
    @rule(p=picks, amount=amounts)
    def refund(self, p, amount):
        p %= len(self.payments)
        call = {
            "organization": self.org,
            "payment": self.payments[p]["row"],
            "amount": str(amount),
            "reason": "test",
            "idempotency_key": self.key(),
            "now": self.now,
            "actor": None,
        }
        if amount <= 0 or amount > self.unallocated(p):
            with pytest.raises(InvalidAmount):
                services.refund(**call)
        else:
            services.refund(**call)
            self.refunds[p] = self.refunds.get(p, ZERO) + amount

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def balance_and_credit_equal_their_sums(self):
        totals = balances.family_totals(self.family)
        assert totals.balance == self.model_balance()
        assert totals.credit == self.model_credit()
        outstanding = sum((c.open_amount for c in balances.outstanding_charges(self.family)), ZERO)
        assert outstanding == totals.balance
        with_credit = sum((p.unallocated for p in balances.payments_with_credit(self.family)), ZERO)
        assert with_credit == totals.credit

    @invariant()
    def nothing_is_over_allocated(self):
        counting = Allocation.objects.filter(payment__family=self.family, charge__void__isnull=True)
        by_payment = dict(counting.values_list("payment").annotate(total=Sum("amount")))
        by_charge = dict(counting.values_list("charge").annotate(total=Sum("amount")))
        refunded = dict(
            Refund.objects.filter(payment__family=self.family)
            .values_list("payment")
            .annotate(total=Sum("amount"))
        )
        for p in self.payments:
            row = p["row"]
            assert by_payment.get(row.pk, ZERO) + refunded.get(row.pk, ZERO) <= row.amount
        for c in self.charges:
            if not c["voided"]:
                assert by_charge.get(c["row"].pk, ZERO) <= c["row"].amount


def test_ledger_invariants_hold_for_any_sequence(db):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            # 25 derandomized runs of 25 steps: every rule reached many times over, in half
            # the time of 50 x 30 (the suite's wall time, docs/architecture.md "Test time").
            max_examples=25,
            stateful_step_count=25,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )

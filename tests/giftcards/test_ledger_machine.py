"""The eGift Card ledger under random sequences of issue (with bonus), spend, move to credit
and void (a bounded, derandomised hypothesis state machine): a plain-Python model predicts
every answer; after every step each card's balance is never negative and always equals the
sum of its rows, and the family's credit equals what was moved to it."""

from decimal import Decimal

import pytest
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

from springboard.billing import balances
from springboard.core.money import ZERO
from springboard.giftcards import services
from springboard.giftcards.models import GiftCardTransaction
from tests import factories, family_factories
from tests.giftcards.conftest import a_card, gift_settings

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300.00"), places=2)
picks = st.integers(min_value=0, max_value=1000)


class GiftCardMachine(RuleBasedStateMachine):
    @initialize()
    def open_a_shop(self):
        self.org = factories.organization()
        factories.location(self.org)
        gift_settings(self.org)
        self.family = family_factories.family(self.org)
        self.now = timezone.now()
        self.cards: list[dict] = []  # {"row", "balance"}
        self.credited = ZERO

    @rule(amount=amounts, bonus=st.sampled_from([ZERO, Decimal("5.00"), Decimal("10.00")]))
    def issue(self, amount, bonus):
        card, _code = a_card(self.org, str(amount), str(amount + bonus), now=self.now)
        self.cards.append({"row": card, "balance": amount + bonus})

    @precondition(lambda self: self.cards)
    @rule(pick=picks, amount=amounts)
    def spend(self, pick, amount):
        card = self.cards[pick % len(self.cards)]
        if amount > card["balance"]:
            with pytest.raises(services.GiftCardError):
                services.spend(card=card["row"], amount=amount, now=self.now)
        else:
            services.spend(card=card["row"], amount=amount, now=self.now)
            card["balance"] -= amount

    @precondition(lambda self: self.cards)
    @rule(pick=picks)
    def move_to_credit(self, pick):
        card = self.cards[pick % len(self.cards)]
        if card["balance"] <= 0:
            with pytest.raises(services.WrongCode):
                services.move_to_credit(card=card["row"], family=self.family, now=self.now)
        else:
            services.move_to_credit(card=card["row"], family=self.family, now=self.now)
            self.credited += card["balance"]
            card["balance"] = ZERO

    @precondition(lambda self: self.cards)
    @rule(pick=picks)
    def void(self, pick):
        card = self.cards[pick % len(self.cards)]
        if card["balance"] <= 0:
            with pytest.raises(services.GiftCardError):
                services.void(card=card["row"], reason="staff", now=self.now, actor=None)
        else:
            services.void(card=card["row"], reason="staff", now=self.now, actor=None)
            card["balance"] = ZERO

    @invariant()
    def balances_are_the_sums_and_never_negative(self):
        for card in getattr(self, "cards", []):
            row = card["row"]
            # Added up here, row by row: exact on every database (SQLite sums decimals as floats).
            entries = GiftCardTransaction.objects.filter(card=row).values_list("amount", flat=True)
            total = sum(entries, ZERO)
            assert row.balance() == total == card["balance"]
            assert row.balance() >= 0

    @invariant()
    def credit_is_what_was_moved(self):
        if hasattr(self, "family"):
            assert balances.credit(self.family) == self.credited


def test_gift_card_ledger_invariants_hold_for_any_sequence(db):
    run_state_machine_as_test(
        GiftCardMachine,
        settings=settings(
            # 12 derandomized runs of 20 steps: every rule reached many times over, in half
            # the time of 25 runs (the suite's wall time, docs/architecture.md "Test time").
            max_examples=12,
            stateful_step_count=20,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )

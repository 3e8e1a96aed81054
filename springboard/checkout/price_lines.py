"""The pricing service's values: the lines it returns (`PriceLine`, each with what it is, how
it was computed, its quantity, amount and due date), the `Quote` that sums them, the context a
pricer reads, the item types it prices and the registry (`PRICERS`, filled by `@pricer(Item)`).
Split from `pricing.py` (which re-exports every name) so the rules read apart from the shapes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from springboard.billing import descriptions
from springboard.billing.descriptions import Text
from springboard.catalog.models import Course, Event, EventDay, PartyAddOn, PartyPackage, PartySlot
from springboard.core.money import ZERO


class PricingError(Exception):
    """The inputs cannot be priced (no meetings left, a day not on sale…); readable message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PriceLine:
    kind: str  # the charge kind it becomes (billing.ChargeKind)
    description: str  # "Level 1 Gymnastics — Maya, January 2027", in the active language
    computation: str  # "3 of 4 meetings in January 2027 × $100.00/month"
    quantity: Decimal
    amount: Decimal
    due_date: date
    student: Any = None
    subject: Any = None  # what the charge is for (course, event, party package, fee schedule)
    # The same words as data (billing.descriptions), so the order line and the charge read in
    # each reader's language. A pricer may leave them out and give plain text only.
    description_text: Text | None = None
    computation_text: Text | None = None
    # Set by quote(): the index of the item the line prices, and for a discount line the
    # index (in Quote.lines) of the line it reduces (checkout.discounts).
    item: int | None = None
    discount_of: int | None = None

    def ledger_fields(self) -> dict:
        """description(_key/_args) and computation(_key/_args), as the order line and the
        charge store them (plain text in the site's language beside the key)."""
        fields = {
            **descriptions.stored("description", self.description_text, self.description),
            **descriptions.stored("computation", self.computation_text, self.computation),
        }
        fields["description"] = fields["description"][:200]
        fields["computation"] = fields["computation"][:300]
        return fields


def _line(*, description: Text, computation: Text, **fields) -> PriceLine:
    return PriceLine(
        description=description.render(),
        computation=computation.render(),
        description_text=description,
        computation_text=computation,
        **fields,
    )


@dataclass(frozen=True)
class Quote:
    lines: tuple[PriceLine, ...]
    today: date

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def due_now(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.due_date <= self.today), ZERO)

    @property
    def due_later(self) -> Decimal:
        return self.total - self.due_now


@dataclass
class PricingContext:
    organization: Any
    family: Any
    today: date
    now: datetime
    closures: list = field(default_factory=list)


# --- items -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CourseItem:
    course: Course
    student: Any


@dataclass(frozen=True)
class EventItem:
    event: Event
    student: Any
    days: tuple[EventDay, ...] = ()
    whole_event: bool = False


@dataclass(frozen=True)
class PartyItem:
    package: PartyPackage
    slot: PartySlot
    guests: int
    add_ons: tuple[PartyAddOn, ...] = ()
    student: Any = None  # the birthday child, when known


@dataclass(frozen=True)
class ProductItem:
    variant: Any  # shop.Variant (its product selected)
    quantity: int
    location: Any  # where it is picked up
    gift_recipient_name: str = ""


Pricer = Callable[[Any, PricingContext], list[PriceLine]]
PRICERS: dict[type, Pricer] = {}


def pricer(item_type: type) -> Callable[[Pricer], Pricer]:
    """Register the function that prices one kind of item."""

    def register(function: Pricer) -> Pricer:
        PRICERS[item_type] = function
        return function

    return register

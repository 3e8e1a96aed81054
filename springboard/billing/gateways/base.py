"""The payment gateway interface every processor adapter implements.

Card and bank numbers never reach our servers: the browser types them into fields served by
the gateway (a real processor's hosted fields or redirect page; the sandbox's own script and
endpoint), the gateway answers with a token, and our views only ever see that token plus what
may be shown: kind, brand or bank, last four, expiry. Everything below takes that token.

Every call that moves money carries an idempotency key: calling again with the same key
returns the first result and never moves money twice.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


class Outcome:
    APPROVED = "approved"
    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    ERROR = "error"


@dataclass(frozen=True)
class TokenisedMethod:
    """What a token stands for, as much as we may know and show."""

    token: str
    kind: str  # "card" or "echeck"
    brand: str  # "Visa", … or the bank's name
    last4: str
    exp_month: int | None = None
    exp_year: int | None = None


@dataclass(frozen=True)
class ChargeResult:
    outcome: str
    reference: str  # the gateway's id of the charge (empty when it never got that far)
    message: str  # readable by the family: "Your card was declined."

    @property
    def succeeded(self) -> bool:
        return self.outcome == Outcome.APPROVED


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    reference: str
    message: str


class TokeniseError(Exception):
    """A number the gateway refuses (bad Luhn, expired, bad routing number); per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Gateway(ABC):
    """One merchant account (an organization) at one processor."""

    name: str = ""

    def __init__(self, organization) -> None:
        self.organization = organization

    @abstractmethod
    def client_config(self) -> dict[str, Any]:
        """What a page needs to mount the gateway's own card fields: its script URL, the
        tokenisation endpoint or redirect, the publishable merchant id. Templates render it
        into data attributes; no secret goes here."""

    @abstractmethod
    def tokenise(
        self, *, kind: str, fields: dict[str, str], idempotency_key: str, today: date
    ) -> TokenisedMethod:
        """Turn raw details into a token (`today` decides whether a card has expired). Runs
        *at the gateway* (the sandbox's endpoint calls it; a real adapter's processor does
        this in its hosted fields), never in our views."""

    @abstractmethod
    def describe(self, token: str) -> TokenisedMethod | None:
        """What a token that the browser handed us stands for (None: unknown to this merchant)."""

    @abstractmethod
    def charge(
        self, *, token: str, amount: Decimal, currency: str, idempotency_key: str, description: str
    ) -> ChargeResult:
        """Take money. The same key returns the first result without charging again."""

    @abstractmethod
    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Return money of an earlier charge to its method. Same key: first result."""

    def prepare_for_reuse(self, *, token: str, family) -> str:
        """Make a token chargeable later without the family present (saved cards, autopay);
        returns the token to keep, or "" when the processor refuses. The sandbox's tokens
        already are; Stripe attaches the PaymentMethod to the family's Customer."""
        return token

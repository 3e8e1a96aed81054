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
    # The card's bank asks the family to authenticate (3-D Secure) before it pays: nothing is
    # taken yet; the page runs the processor's script with `client_secret`, then the same
    # form (the same key) asks again and gets the final answer.
    REQUIRES_ACTION = "requires_action"


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
    client_secret: str = ""  # REQUIRES_ACTION: what the processor's script needs, no more

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
        self,
        *,
        token: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        description: str,
        on_session: bool = False,
    ) -> ChargeResult:
        """Take money. The same key returns the first result without charging again.
        `on_session`: the family is at the page (checkout, Payments), so the processor may
        ask it to authenticate (REQUIRES_ACTION); False (autopay): it may not, and a card
        whose bank insists is declined."""

    @abstractmethod
    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Return money of an earlier charge to its method. Same key: first result."""

    def charge_under_way(self, idempotency_key: str) -> bool:
        """A charge under this key was started at the processor and may have taken (or may
        still take) the money, e.g. one waiting for the family's authentication: the caller
        then asks again with the same key rather than refusing. The sandbox answers at once."""
        return False

    def prepare_for_reuse(self, *, token: str, family) -> str:
        """Make a token chargeable later without the family present (saved cards, autopay);
        returns the token to keep, or "" when the processor refuses. The sandbox's tokens
        already are; Stripe attaches the PaymentMethod to the family's Customer."""
        return token

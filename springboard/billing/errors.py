"""Typed ledger errors; `message` is written for a family (or staff) to read."""

from decimal import Decimal

from django.utils.translation import gettext as _

from springboard.core.money import AmountError, parse_amount


class LedgerError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(LedgerError):
    """Zero, negative, three decimals, more than owed, more than the credit…"""


def checked_amount(value) -> Decimal:
    """A positive amount in cents (parse_amount), or InvalidAmount with its message."""
    try:
        return parse_amount(value)
    except AmountError as error:
        raise InvalidAmount(error.message) from None


class WrongFamily(LedgerError):
    """A row of another family or organization (views answer 404 before this can happen)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("That does not belong to this family."))


class AlreadyVoided(LedgerError):
    pass


class PaymentNotUsable(LedgerError):
    """A payment that did not succeed cannot be allocated or refunded."""


class PaymentDeclined(LedgerError):
    """The gateway said no; the attempt is recorded (same key → same answer)."""

    def __init__(self, message: str, *, payment=None) -> None:
        super().__init__(message)
        self.payment = payment


class IdempotencyKeyReused(LedgerError):
    """The key was used before for a different family or amount: a forged or stale submit."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This payment was already submitted with different details."))


class GatewayUnavailable(LedgerError):
    pass


class AuthenticationRequired(LedgerError):
    """The card's bank asks the family to authenticate this payment (3-D Secure). Nothing is
    recorded yet: the page runs the processor's script with `client_secret`, then submits
    the same form again (the same key), which records the processor's final answer."""

    def __init__(self, message: str, *, client_secret: str, reference: str = "") -> None:
        super().__init__(message)
        self.client_secret = client_secret
        self.reference = reference

"""The refusals of checkout (a family reads each message; the view picks the page)."""

from django.utils.translation import gettext_lazy as _

from springboard.booking.locking import BookingError

CANT_USE = _("This code can't be used.")


class CheckoutError(BookingError):
    """A refusal a family can read; nothing was charged or posted."""


class PaymentRefused(CheckoutError):
    """The card or bank declined; the order stays pending for another try."""

    status = 402


class PaymentNeedsAuthentication(CheckoutError):
    """The card's bank asks the family to authenticate (3-D Secure): nothing was charged or
    posted yet; the page runs the processor's script with `client_secret`, then submits
    the same form (the same attempt) again."""

    status = 402

    def __init__(self, message, *, client_secret: str) -> None:
        super().__init__(message)
        self.client_secret = client_secret


class NotBookable(CheckoutError):
    """Under the locks, confirm found the order cannot be booked (its window passed and its
    places were taken meanwhile, or a student was booked meanwhile): nothing was posted."""


class PaymentKept(CheckoutError):
    """The money was taken but the order could not be booked: the payment stays on the
    family's account as credit, and the message says so."""


class PromoCodeRefused(CheckoutError):
    """A promo code the family may not use (unknown, expired, used up, already used by the
    family, another organization's: all the one message), or that fits nothing in the order."""

    def __init__(self, message=None):
        super().__init__(str(message or CANT_USE))

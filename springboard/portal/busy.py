"""A saturated worker answers politely: 503 with Retry-After, in the portal's look; a
booking whose lock is not granted in time, 409 with Retry-After (`busy_page`).

Raised below the views by what cannot wait long (password hashing: families/hashers.py) and
caught here, so every page that checks or sets a password (login, sign-up, password change,
the staff admin's login) says "try again in a few seconds" instead of a 20-second queue.
"""

from django.conf import settings
from django.shortcuts import render

from springboard.families.hashers import HashingBusy


class BusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, HashingBusy):
            return None
        response = render(
            request,
            "portal/errors/503.html",
            {"message": exception.message, "seconds": exception.retry_after},
            status=503,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response


def busy_page(request, message: str):
    """409 "please try again" for a lock not granted in time (BookingBusy), with Retry-After
    so a script (and bench/rush.py) knows when to send it again."""
    response = render(request, "portal/cart/busy.html", {"message": message}, status=409)
    response["Retry-After"] = str(settings.BOOKING_BUSY_RETRY_SECONDS)
    return response

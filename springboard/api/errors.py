"""Every refusal of the API is JSON `{"detail": ...}` with a 4xx (docs/api.md, "Errors").

The handlers here turn the services' typed errors into statuses; config/handlers.py answers
Django's own 400/403/404/500 (an unknown account, a body over Django's limit) in JSON for
paths under /api/.
"""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError

from springboard.booking.locking import BookingBusy, BookingError
from springboard.families.hashers import HashingBusy

BUSY_RETRY_SECONDS = 2


class TooManyRequests(HttpError):
    """429 with Retry-After (a login throttle, a rate limit)."""

    def __init__(self, seconds: int, message: str | None = None):
        self.retry_after = max(1, int(seconds))
        super().__init__(429, message or _("Too many requests. Please try again later."))


def json_error(status: int, detail, *, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def install(api) -> None:
    @api.exception_handler(TooManyRequests)
    def too_many(request, exc):
        return json_error(429, str(exc), retry_after=exc.retry_after)

    @api.exception_handler(BookingBusy)
    def busy(request, exc):
        return json_error(409, exc.message, retry_after=BUSY_RETRY_SECONDS)

    @api.exception_handler(BookingError)
    def refused(request, exc):
        return json_error(409, exc.message)

    @api.exception_handler(HashingBusy)
    def hashing_busy(request, exc):
        return json_error(503, str(exc.message), retry_after=exc.retry_after)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return json_error(404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = json_error(401, _("Log in, or send an API token (Authorization: Bearer)."))
        response["WWW-Authenticate"] = "Bearer"
        return response

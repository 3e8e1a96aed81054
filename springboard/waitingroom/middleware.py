"""The waiting page's refresh answered at the top of the middleware stack (issue 17;
docs/performance.md, "The waiting room's refresh, cheaper").

During an opening a thousand waiting pages ask their status URL every few seconds. Its
answer reads only the signed ticket in the URL, the clock (`request.now`), the client's
address (the rate limit), the language it asks for and the cache: no session, login, CSRF
token, message, organization or family. So this middleware, placed just after the clock and
the security headers (SecurityMiddleware, the CSP, X-Frame-Options: every answer of the site
carries them), answers a GET of `waitingroom:status` itself with the view's own `answer`,
through the two middleware of the stack below that shape it (LocaleMiddleware: the language
asked for; CommonMiddleware: the host check, Content-Length), so body and headers are the
same as the whole stack's (tests/waitingroom/test_refresh.py). Anything else goes down the
stack as before: other paths and methods, a ticket that does not verify (the site's 404 page
comes from the whole stack), and an answer that fails (a host not allowed, the cache not
answering: the whole stack tries again and answers as for any page).
"""

from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse

from springboard.waitingroom import passes, views

_TICKET = "t"


class StatusMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None
        # Django's own middleware that shapes this answer, in the stack's order around it: the
        # language and its headers (Content-Language, Vary), the host check and Content-Length.
        self._in_stack = LocaleMiddleware(CommonMiddleware(self._answer))

    def __call__(self, request):
        if request.method != "GET":
            return self.get_response(request)
        if self._prefix is None:
            self._prefix = reverse("waitingroom:status", args=[_TICKET]).removesuffix(f"{_TICKET}/")
        path = request.path
        if not path.startswith(self._prefix) or not path.endswith("/"):
            return self.get_response(request)
        ticket = path[len(self._prefix) : -1]
        found = passes.read_ticket(ticket) if ticket and "/" not in ticket else None
        if found is None:
            return self.get_response(request)
        request.waiting_room_ticket = found
        try:
            return self._in_stack(request)
        except Exception:  # noqa: BLE001 - the whole stack answers it, reports and logs it
            # (its error page needs the session and login this path skipped).
            return self.get_response(request)

    @staticmethod
    def _answer(request):
        return views.answer(request, request.waiting_room_ticket)

"""The waiting room's gate on booking actions (docs/booking.md, "Waiting room").

During a term's opening (the room on, from its window before the opening until its rush
ends) every way to a seat of that term's classes needs a valid pass: adding one, adding an
expired hold again, joining its waitlist, transferring into it (the one gate, called by each
view). Without a pass the family is sent to the waiting page, which takes it back (`back`)
once admitted. A genuine pass of another organization is a 404. A waitlist offer is not
gated: it is the waitlist's own turn (docs/booking.md, "Waiting room").
"""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect

from springboard.portal.views.family_access import portal_url
from springboard.waitingroom import passes, services


def waiter_of(request) -> str | None:
    return passes.read_waiter(request.COOKIES.get(passes.WAITER_COOKIE))


def gate(request, course, *, back: str):
    """None when the family may book this course now; else the redirect to the waiting page."""
    try:
        if services.may_book(
            request.organization,
            course.term,
            pass_value=request.COOKIES.get(passes.PASS_COOKIE),
            waiter=waiter_of(request),
            now=request.now,
        ):
            return None
    except passes.OtherOrganization:
        raise Http404("A pass of another organization") from None
    query = urlencode({"term": course.term_id, "course": course.pk, "next": back})
    return HttpResponseRedirect(f"{portal_url(request, 'waiting_room')}?{query}")


def notice(request, course) -> str | None:
    """For the class page: the waiting page's URL while this course's term is in its opening
    and the family holds no pass (else None)."""
    try:
        response = gate(request, course, back=request.get_full_path())
    except Http404:
        return None
    return response["Location"] if response is not None else None

"""My Account → Camps and parties → Cancel: the refund the organization's cancellation rule
gives is shown first, then one confirming POST (docs/booking.md, "Camps and parties").
Another family's or organization's booking, or a malformed id: 404; a refusal (started, not
online) is its message."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from springboard.booking.drops import DropError
from springboard.booking.locking import BookingBusy
from springboard.booking.models import EventRegistration, PartyBooking
from springboard.portal.busy import busy_page
from springboard.portal.views.family_access import family_required, portal_url
from springboard.tuition import cancellations


def _handle(request, booking, what: str):
    context = {"booking": booking, "what": what, "plan": None, "refusal": ""}
    if request.method == "POST":
        try:
            plan, changed = cancellations.cancel(
                booking, family=request.family, now=request.now, actor=request.user
            )
        except BookingBusy as error:
            return busy_page(request, error.message)
        except DropError as error:
            context["refusal"] = error.message
            return render(request, "portal/accounts/cancel.html", context, status=409)
        if changed:
            messages.success(request, _("%(what)s is cancelled.") % {"what": what})
        return HttpResponseRedirect(portal_url(request, "account"))
    try:
        context["plan"] = cancellations.quote(booking, family=request.family, now=request.now)
    except DropError as error:
        context["refusal"] = error.message
    return render(request, "portal/accounts/cancel.html", context)


@require_http_methods(["GET", "POST"])
@family_required
def cancel_camp(request, registration_id: int):
    registration = get_object_or_404(
        EventRegistration.objects.for_organization(request.organization)
        .filter(student__family=request.family)
        .select_related("student", "event_day__event__location"),
        pk=registration_id,
    )
    what = f"{registration.event_day.event.name} ({registration.student.first_name})"
    return _handle(request, registration, what)


@require_http_methods(["GET", "POST"])
@family_required
def cancel_party(request, booking_id: int):
    booking = get_object_or_404(
        PartyBooking.objects.for_organization(request.organization)
        .filter(family=request.family)
        .select_related("slot__location", "package"),
        pk=booking_id,
    )
    return _handle(request, booking, f"{booking.package.name} ({booking.guest_of_honour_name})")

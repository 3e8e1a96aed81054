"""My Account → an enrollment → Transfer (docs/booking.md, "Transfers"): the classes the
student could move to (eligible with an opening: a button; else the reason), choosing one
holds its seat (POST), the confirm page shows when it takes effect and the price
difference, Confirm applies it or sends it to staff. Another family's or organization's
enrollment or change, or a malformed id: 404; a refusal is its reason (409), never a 500."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from springboard.booking import transfers
from springboard.booking.drops import DropError
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import ChangeKind, ChangeRequest, ChangeStatus
from springboard.catalog.models import Course
from springboard.core.parsing import optional_id
from springboard.portal import waiting
from springboard.portal.busy import busy_page
from springboard.portal.views.drops import own_enrollment
from springboard.portal.views.family_access import family_required, portal_url
from springboard.tuition import changes


def _choose_page(request, enrollment, *, refusal="", status=200):
    context = {"enrollment": enrollment, "refusal": refusal, "options": [], "plan": None}
    if not refusal:
        try:
            plan = changes.transfer_plan(enrollment, family=request.family, now=request.now)
        except DropError as error:
            context["refusal"] = error.message
        else:
            context["plan"] = plan
            context["options"] = transfers.options(
                enrollment, on=plan.effective_on, now=request.now
            )
    if changes.pending_of(enrollment):
        context["refusal"] = _("A change of this class is already waiting for approval.")
        context["options"] = []
    return render(request, "portal/accounts/transfer.html", context, status=status)


@require_http_methods(["GET", "POST"])
@family_required
def choose(request, enrollment_id: int):
    enrollment = own_enrollment(request, enrollment_id)
    if enrollment.status != "active":
        return _choose_page(request, enrollment, refusal=_("This class is already dropped."))
    if request.method == "GET":
        return _choose_page(request, enrollment)
    course_id = optional_id(request.POST.get("course", ""))
    if course_id is None:
        raise Http404
    course = get_object_or_404(Course.objects.for_organization(request.organization), pk=course_id)
    back = portal_url(request, "enrollment_transfer", enrollment.pk)
    if (to_waiting_room := waiting.gate(request, course, back=back)) is not None:
        return to_waiting_room  # into a class of a term in its opening: a pass, as adding
    try:
        change = changes.hold_transfer(enrollment, course, family=request.family, now=request.now)
    except BookingBusy as error:
        return busy_page(request, error.message)
    except BookingError as error:  # full, ineligible, too late, not online
        return _choose_page(request, enrollment, refusal=error.message, status=409)
    return HttpResponseRedirect(portal_url(request, "transfer_confirm", change.pk))


def _own_change(request, change_id: int) -> ChangeRequest:
    return get_object_or_404(
        ChangeRequest.objects.for_organization(request.organization)
        .filter(family=request.family, kind=ChangeKind.TRANSFER)
        .select_related("enrollment__course__location", "to_course__location", "student"),
        pk=change_id,
    )


@require_http_methods(["GET", "POST"])
@family_required
def confirm(request, change_id: int):
    change = _own_change(request, change_id)
    context = {"change": change, "now": request.now, "refusal": "", "money": None}
    if request.method == "POST":
        try:
            asked = changes.confirm_transfer(
                change, family=request.family, now=request.now, actor=request.user
            )
        except BookingBusy as error:
            return busy_page(request, error.message)
        except BookingError as error:
            context["refusal"] = error.message
            return render(request, "portal/accounts/transfer_confirm.html", context, status=409)
        names = {"course": change.to_course.name, "name": change.student.first_name}
        if asked.done:
            messages.success(request, _("%(name)s is transferred to %(course)s.") % names)
        else:
            messages.success(
                request,
                _(
                    "Your request to transfer %(name)s to %(course)s is sent. We will email you "
                    "when it is decided."
                )
                % names,
            )
        return HttpResponseRedirect(portal_url(request, "account"))
    if change.status == ChangeStatus.HELD and change.hold_expires_at > request.now:
        try:
            plan = changes.transfer_plan(
                change.enrollment, family=request.family, now=request.now, on=change.effective_on
            )
        except DropError as error:
            context["refusal"] = error.message
        else:
            context["money"] = changes.quote_transfer(plan, change.to_course, now=request.now)
            context["needs_approval"] = plan.rules.transfer_approval == "request"
            context["rules_days"] = plan.rules.transfer_request_days
    elif change.status == ChangeStatus.HELD:
        context["refusal"] = _(
            "The seat was held for you for a limited time; choose the class again."
        )
    return render(request, "portal/accounts/transfer_confirm.html", context)

"""My Account → an enrollment → Drop: the effective day and the money consequence shown
first, then one confirming POST (docs/booking.md, "Drops"): applied at once, or sent to the
staff as a request when the rules say so. Another family's or organization's enrollment, or
a malformed id, is a 404; a refusal is the rule's message."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from springboard.booking.drops import DropError, plan_drop
from springboard.booking.locking import BookingBusy
from springboard.booking.models import Enrollment, EnrollmentStatus
from springboard.portal.busy import busy_page
from springboard.portal.views.family_access import family_required, portal_url
from springboard.tuition import changes
from springboard.tuition import drops as drop_money


def own_enrollment(request, enrollment_id: int) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.for_organization(request.organization)
        .filter(student__family=request.family)
        .select_related("student", "course__location", "course__term", "organization"),
        pk=enrollment_id,
    )


def _page(request, enrollment, *, money=None, refusal: str = "", status: int = 200):
    context = {
        "enrollment": enrollment,
        "money": money,
        "refusal": refusal,
        "pending": changes.pending_of(enrollment),
    }
    return render(request, "portal/accounts/drop.html", context, status=status)


@require_http_methods(["GET", "POST"])
@family_required
def drop(request, enrollment_id: int):
    enrollment = own_enrollment(request, enrollment_id)
    family = request.family
    if request.method == "POST":
        try:
            asked = changes.ask_to_drop(
                enrollment, family=family, now=request.now, actor=request.user
            )
        except BookingBusy as error:
            return busy_page(request, error.message)
        except DropError as error:
            return _page(request, enrollment, refusal=error.message, status=409)
        names = {"course": enrollment.course.name, "name": enrollment.student.first_name}
        if asked.done and asked.money is not None:
            messages.success(request, _("%(course)s is dropped for %(name)s.") % names)
        elif not asked.done:
            messages.success(
                request,
                _(
                    "Your request to drop %(course)s for %(name)s is sent. We will email you "
                    "when it is decided."
                )
                % names,
            )
        return HttpResponseRedirect(portal_url(request, "account"))
    if enrollment.status == EnrollmentStatus.DROPPED or changes.pending_of(enrollment):
        return _page(request, enrollment)
    try:
        plan = plan_drop(enrollment, family=family, now=request.now)
    except DropError as error:
        return _page(request, enrollment, refusal=error.message)
    return _page(request, enrollment, money=drop_money.quote(plan))

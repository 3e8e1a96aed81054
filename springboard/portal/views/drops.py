"""My Account → an enrollment → Drop: the effective day and the money consequence shown
first, then one confirming POST (docs/booking.md, "Drops"). Another family's or
organization's enrollment, or a malformed id, is a 404; a refusal is the rule's message."""

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
from springboard.tuition import drops as drop_money


def _page(request, enrollment, *, money=None, refusal: str = "", status: int = 200):
    context = {"enrollment": enrollment, "money": money, "refusal": refusal}
    return render(request, "portal/accounts/drop.html", context, status=status)


@require_http_methods(["GET", "POST"])
@family_required
def drop(request, enrollment_id: int):
    enrollment = get_object_or_404(
        Enrollment.objects.for_organization(request.organization)
        .filter(student__family=request.family)
        .select_related("student", "course__location", "course__term", "organization"),
        pk=enrollment_id,
    )
    family = request.family
    if request.method == "POST":
        try:
            money, changed = drop_money.drop(
                enrollment, family=family, now=request.now, actor=request.user
            )
        except BookingBusy as error:
            return busy_page(request, error.message)
        except DropError as error:
            return _page(request, enrollment, refusal=error.message, status=409)
        if changed:
            messages.success(
                request,
                _("%(course)s is dropped for %(name)s.")
                % {"course": enrollment.course.name, "name": enrollment.student.first_name},
            )
        return HttpResponseRedirect(portal_url(request, "account"))
    if enrollment.status == EnrollmentStatus.DROPPED:
        return _page(request, enrollment)
    try:
        plan = plan_drop(enrollment, family=family, now=request.now)
    except DropError as error:
        return _page(request, enrollment, refusal=error.message)
    return _page(request, enrollment, money=drop_money.quote(plan))

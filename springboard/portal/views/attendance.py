"""My Account → an enrollment → Absences, and My Account → Makeups (docs/booking.md,
"Absences and makeups"). Thin: the rules, the cut-off, the credit and the places per meeting
are springboard.attendance's. Another family's or organization's enrollment, student, class
or makeup is a 404; a bad date or action is a 400 with a message; a refusal is the rule's
message (409), and nothing changes."""

import re
from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from springboard.attendance import rules as attendance_rules
from springboard.attendance import services
from springboard.attendance.models import (
    HOLDING,
    MARKED,
    Absence,
    AbsenceStatus,
    Makeup,
    MakeupStatus,
)
from springboard.attendance.services import AttendanceError
from springboard.booking.locking import BookingBusy
from springboard.booking.models import Enrollment
from springboard.catalog import schedule
from springboard.catalog.models import Course
from springboard.core.parsing import parse_id
from springboard.portal.busy import busy_page
from springboard.portal.views.family_access import family_required, portal_url, safe_next

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WEEKS_SHOWN = 8


def parse_day(text) -> date | None:
    """A YYYY-MM-DD date in ASCII digits, or None (non-ASCII digits, huge, impossible)."""
    if not isinstance(text, str) or not ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _busy(request, error):
    return busy_page(request, error.message)


def _meetings(enrollment, *, now):
    """The enrollment's coming meetings (eight weeks), each with what a family may do."""
    course = enrollment.course
    rules = attendance_rules.rules_for(course)
    closures = schedule.closures_for(course.organization, location_ids=[course.location_id])
    today = now.astimezone(schedule.location_zone(course)).date()
    absences, denied = {}, {}
    for a in (
        Absence.objects.filter(
            enrollment=enrollment, status__in=[*MARKED, AbsenceStatus.DENIED], date__gte=today
        )
        .select_related("request")
        .prefetch_related("makeups")
        .order_by("marked_at", "pk")
    ):
        (denied if a.status == AbsenceStatus.DENIED else absences)[a.date] = a
    rows = []
    until = today + timedelta(weeks=WEEKS_SHOWN)
    for starts, ends in schedule.meetings(course, closures, on_or_after=today):
        if starts.date() > until or not enrollment.holds_place_at(starts):
            break
        if ends <= now:
            continue
        absence = absences.get(starts.date())
        in_time = now < attendance_rules.cutoff(rules, starts)
        used = absence is not None and any(m.status in HOLDING for m in absence.makeups.all())
        rows.append(
            {
                "starts_at": starts,
                "ends_at": ends,
                "day": starts.date(),
                "absence": absence,
                "requested": absence is not None and absence.status == AbsenceStatus.REQUESTED,
                "denied": None if absence else denied.get(starts.date()),
                "credit_used": used,
                "can_mark": absence is None and in_time and rules.absences_online,
                "can_undo": absence is not None and in_time and not used,
            }
        )
    return rules, rows


def _absences_page(request, enrollment, *, refusal: str = "", status: int = 200):
    rules, rows = _meetings(enrollment, now=request.now)
    context = {"enrollment": enrollment, "rules": rules, "meetings": rows, "refusal": refusal}
    return render(request, "portal/accounts/absences.html", context, status=status)


@require_http_methods(["GET", "POST"])
@family_required
def enrollment_absences(request, enrollment_id: int):
    enrollment = get_object_or_404(
        Enrollment.objects.for_organization(request.organization)
        .filter(student__family=request.family)
        .select_related("student", "course__location", "course__term", "course__organization"),
        pk=enrollment_id,
    )
    if request.method == "GET":
        return _absences_page(request, enrollment)
    action = request.POST.get("action")
    day = parse_day(request.POST.get("date"))
    if action not in ("absent", "undo") or day is None:
        return _absences_page(
            request, enrollment, refusal=_("Choose a class date from the list."), status=400
        )
    family = request.family
    try:
        if action == "absent":
            absence, created = services.mark_absent(enrollment, day, family=family, now=request.now)
            if created:
                words = {
                    "name": enrollment.student.first_name,
                    "day": date_format(day, "DATE_FORMAT"),
                }
                if absence.status == AbsenceStatus.REQUESTED:
                    message = _("Absence requested for %(name)s on %(day)s: waiting for approval.")
                else:
                    message = _("%(name)s is marked absent on %(day)s.")
                messages.success(request, message % words)
        else:
            absence = Absence.objects.filter(
                enrollment=enrollment, date=day, status__in=MARKED
            ).first()
            if absence is None:
                return _absences_page(
                    request, enrollment, refusal=_("That class is not marked absent."), status=409
                )
            services.undo_absence(absence, family=family, now=request.now)
            messages.success(request, _("The absence is undone."))
    except BookingBusy as error:
        return _busy(request, error)
    except AttendanceError as error:
        return _absences_page(request, enrollment, refusal=error.message, status=error.status)
    fallback = portal_url(request, "enrollment_absences", enrollment.pk)
    return HttpResponseRedirect(safe_next(request, fallback))


def _makeups_context(request):
    family, now = request.family, request.now
    students = []
    for student in family.students.all():
        credits = list(services.credits_of(student, now=now))
        expired = services.expired_credits_of(student, now=now).count()
        if not credits and not expired:
            continue
        options = services.makeup_options(student, credits[0], now=now) if credits else []
        students.append(
            {"student": student, "credits": credits, "expired": expired, "options": options}
        )
    booked = list(
        Makeup.objects.filter(
            family=family, status__in=[*HOLDING, MakeupStatus.DENIED], starts_at__gt=now
        )
        .select_related("student", "course__location", "request")
        .order_by("starts_at")
    )
    return {"students": students, "booked": booked}


def _makeups_page(request, *, refusal: str = "", status: int = 200):
    context = {**_makeups_context(request), "refusal": refusal}
    return render(request, "portal/accounts/makeups.html", context, status=status)


@require_http_methods(["GET", "POST"])
@family_required
def makeups(request):
    if request.method == "GET":
        return _makeups_page(request)
    family, organization = request.family, request.organization
    action = request.POST.get("action")
    try:
        if action == "book":
            student = get_object_or_404(
                family.students.all(), pk=parse_id(request.POST.get("student"))
            )
            course = get_object_or_404(
                Course.objects.for_organization(organization).select_related(
                    "location", "term", "program", "organization"
                ),
                pk=parse_id(request.POST.get("course")),
            )
            day = parse_day(request.POST.get("date"))
            if day is None:
                return _makeups_page(
                    request, refusal=_("Choose a class date from the list."), status=400
                )
            makeup = services.book_makeup(student, course, day, family=family, now=request.now)
            if makeup.status == MakeupStatus.REQUESTED:
                message = _(
                    "Makeup requested: %(name)s, %(course)s on %(day)s; waiting for approval."
                )
            else:
                message = _("Makeup booked: %(name)s, %(course)s on %(day)s.")
            words = {
                "name": student.first_name,
                "course": course.name,
                "day": date_format(day, "DATE_FORMAT"),
            }
            messages.success(request, message % words)
        elif action == "cancel":
            makeup = get_object_or_404(
                Makeup.objects.for_organization(organization).filter(
                    family=family, status__in=HOLDING
                ),
                pk=parse_id(request.POST.get("makeup")),
            )
            services.cancel_makeup(makeup, family=family, now=request.now)
            messages.success(request, _("The makeup is cancelled; its credit is yours again."))
        else:
            return _makeups_page(request, refusal=_("Choose a class from the list."), status=400)
    except BookingBusy as error:
        return _busy(request, error)
    except AttendanceError as error:
        return _makeups_page(request, refusal=error.message, status=error.status)
    return HttpResponseRedirect(portal_url(request, "makeups"))

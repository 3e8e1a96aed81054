"""The activity queue (docs/booking.md, "Requests and the activity queue"): families' drop
and transfer requests in the staff admin, scoped to the staff's organizations (another
organization's request: 404), each with family, student, what, when and the money
consequence the family saw; a pending one opens a page to approve or deny it with a note
(`tuition.changes.approve` / `deny`, the same services an automatic change uses)."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.booking.locking import BookingError
from springboard.booking.models import ChangeRequest, ChangeStatus
from springboard.core.clock import request_now
from springboard.core.parsing import optional_id
from springboard.tenancy.admin_scoping import ALL_ROLES, OrganizationScopedAdmin
from springboard.tuition import changes

NOTE_LIMIT = 1000


class ChangeStatusFilter(admin.SimpleListFilter):
    """Pending first: the queue opens on what waits for a decision."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in ChangeStatus.choices if value != "held"] + [
            ("all", _("All"))
        ]

    def choices(self, changelist):
        value = self.value() or ChangeStatus.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or ChangeStatus.PENDING
        if value == "all":
            return queryset.exclude(status=ChangeStatus.HELD)
        return queryset.filter(status=value)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at",
        "family",
        "student",
        "kind",
        "what",
        "effective_on",
        "money_summary",
        "status",
        "decide_link",
    ]
    list_filter = [ChangeStatusFilter, "kind"]
    list_select_related = ["family", "student", "enrollment__course", "to_course"]
    search_fields = ["family__name", "student__first_name", "student__last_name"]
    edit_roles = ALL_ROLES  # staff decide; nobody edits a row by hand

    @admin.display(description=_("class"))
    def what(self, obj):
        if not obj.enrollment_id:  # an absence or a makeup: the meeting's class
            return obj.to_course.name if obj.to_course_id else ""
        if obj.to_course_id:
            return f"{obj.enrollment.course.name} → {obj.to_course.name}"
        return obj.enrollment.course.name if obj.enrollment_id else ""

    @admin.display(description=_("decide"))
    def decide_link(self, obj):
        if obj.status != ChangeStatus.PENDING:
            return obj.staff_note
        url = reverse("admin:booking_changerequest_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Approve or deny"))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<str:change_id>/decide/", decide, name="booking_changerequest_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, change_id: str):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        pk = optional_id(change_id)
        change = (
            self.get_queryset(request)
            .select_related("family", "student", "enrollment__course", "to_course", "organization")
            .filter(pk=pk)
            .first()
            if pk
            else None
        )
        if change is None or not self.has_view_permission(request, change):
            raise Http404
        error = ""
        if request.method == "POST":
            note = request.POST.get("note", "")
            decision = request.POST.get("decision", "")
            if len(note) > NOTE_LIMIT:
                error = gettext("The note is too long (at most %(n)s characters).") % {
                    "n": NOTE_LIMIT
                }
            elif decision not in ("approve", "deny"):
                error = gettext("Choose Approve or Deny.")
            else:
                service = changes.approve if decision == "approve" else changes.deny
                try:
                    service(
                        change,
                        organization=change.organization,
                        note=note,
                        now=request_now(request),
                        actor=request.user,
                    )
                except BookingError as refusal:
                    error = refusal.message
                else:
                    change.refresh_from_db()
                    messages.success(
                        request,
                        gettext("%(change)s: %(status)s; the family is emailed.")
                        % {"change": change, "status": change.get_status_display()},
                    )
                    return HttpResponseRedirect(reverse("admin:booking_changerequest_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Decide a request"),
            "opts": self.model._meta,
            "change": change,
            "error": error,
            "note": request.POST.get("note", ""),
        }
        return TemplateResponse(request, "admin/booking/changerequest/decide.html", context)

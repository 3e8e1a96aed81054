"""Billing runs in the staff admin: past runs with their totals (read-only), and a preview of
the run each of the staff user's organizations would post now — what, to whom, the totals —
with a button that posts exactly that (the same service as the housekeeping job)."""

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.core.clock import request_now
from springboard.core.parsing import parse_id
from springboard.tenancy.admin_scoping import ALL_ROLES, OrganizationScopedAdmin, organization_ids
from springboard.tenancy.models import Organization
from springboard.tuition import runs
from springboard.tuition.models import BillingRun


def staff_organizations(request, roles=ALL_ROLES):
    if request.user.is_superuser:
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk__in=organization_ids(request, roles)).order_by("name")


@admin.register(BillingRun)
class BillingRunAdmin(OrganizationScopedAdmin):
    list_display = [
        "period_label",
        "organization",
        "created_at",
        "created_by",
        "families",
        "tuition_charges",
        "fee_charges",
        "total",
    ]
    list_filter = ["period"]
    readonly_fields = [
        "organization",
        "period",
        "due_date",
        "created_at",
        "created_by",
        "families",
        "tuition_charges",
        "fee_charges",
        "total",
    ]
    change_list_template = "admin/tuition/billingrun/change_list.html"

    @admin.display(description=_("month billed"), ordering="period")
    def period_label(self, obj):
        return f"{obj.period:%B %Y}"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="tuition_billingrun_preview"),
            *super().get_urls(),
        ]

    @staticmethod
    def _post(request, now):
        organization = get_object_or_404(
            staff_organizations(request), pk=parse_id(request.POST.get("organization", ""))
        )
        plan = runs.plan_run(organization, now=now)
        seen = request.POST.get("total", "")
        if seen != str(plan.total):  # something changed since the preview: show it again
            messages.warning(
                request, gettext("The run changed since the preview; look at it again.")
            )
            return None
        run = runs.post_run(organization, now=now, actor=request.user)
        messages.success(
            request,
            gettext("Posted %(count)s charges (%(total)s) for %(month)s.")
            % {
                "count": run.tuition_charges + run.fee_charges,
                "total": run.total,
                "month": f"{run.period:%B %Y}",
            },
        )
        return HttpResponseRedirect(reverse("admin:tuition_billingrun_changelist"))

    def preview_view(self, request):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        now = request_now(request)
        if request.method == "POST":
            done = self._post(request, now)
            if done is not None:
                return done
        plans = [runs.plan_run(org, now=now) for org in staff_organizations(request)]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Preview of the billing run"),
            "opts": self.model._meta,
            "plans": plans,
        }
        return TemplateResponse(request, "admin/tuition/billingrun/preview.html", context)


# --- staff "drop and refund" on the enrollments' list (docs/booking.md, "Drops") ------------
def _staff_drop(modeladmin, request, queryset, *, refund_to_payment: bool) -> None:
    from springboard.billing.errors import LedgerError
    from springboard.booking.locking import BookingError
    from springboard.tuition import drops

    now = request_now(request)
    allowed = set(organization_ids(request, ALL_ROLES))  # staff refund, as in billing's admin
    for enrollment in queryset.select_related("organization", "student__family", "course"):
        if not request.user.is_superuser and enrollment.organization_id not in allowed:
            messages.error(request, gettext("You may not drop %(e)s.") % {"e": enrollment})
            continue
        try:
            refunds = drops.staff_drop(
                organization=enrollment.organization,
                enrollment=enrollment,
                refund_to_payment=refund_to_payment,
                now=now,
                actor=request.user,
            )
        except (LedgerError, BookingError) as error:
            messages.error(request, f"{enrollment}: {error}")
            continue
        if refund_to_payment:
            total = sum((r.amount for r in refunds), 0)
            messages.success(
                request,
                gettext("%(e)s dropped; %(amount)s refunded to the original payment.")
                % {"e": enrollment, "amount": total},
            )
        else:
            messages.success(
                request,
                gettext("%(e)s dropped; what was paid for it is now the family's credit.")
                % {"e": enrollment},
            )


@admin.action(description=_("Drop now and refund to the original payment"))
def drop_and_refund(modeladmin, request, queryset):
    _staff_drop(modeladmin, request, queryset, refund_to_payment=True)


@admin.action(description=_("Drop now and keep what was paid as credit"))
def drop_and_credit(modeladmin, request, queryset):
    _staff_drop(modeladmin, request, queryset, refund_to_payment=False)


def _add_drop_actions() -> None:
    from springboard.booking.admin import EnrollmentAdmin

    EnrollmentAdmin.actions = [*EnrollmentAdmin.actions, drop_and_refund, drop_and_credit]


_add_drop_actions()

from springboard.tuition import admin_changes  # noqa: E402, F401  (the activity queue)

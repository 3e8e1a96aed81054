"""Staff switch the waiting room and see who is waiting (scoped to their organizations)."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from springboard.catalog.models import Term
from springboard.core import clock
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin
from springboard.waitingroom import published, rules, services
from springboard.waitingroom.models import WaitingRoom


@admin.register(WaitingRoom)
class WaitingRoomAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "is_on", "admissions_per_minute", "pass_minutes"]
    readonly_fields = ["who_is_waiting"]

    @admin.display(description=_("who is waiting"))
    def who_is_waiting(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        now = clock.now()
        # The row staff look at, published again (so a stale cache entry heals here).
        settings = published.publish(obj.organization_id, obj)
        rush, terms = services.current_rush(obj.organization, now=now, settings=settings)
        if rush is None:
            # Switched off, the opening is still worth seeing: the soonest in its window.
            terms = Term.objects.for_organization(obj.organization).order_by("enrollment_opens_at")
            rush = next(
                (
                    services.rush_of(obj, term.enrollment_opens_at)
                    for term in terms
                    if services.in_rush(obj, term.enrollment_opens_at, now=now)
                ),
                None,
            )
        if rush is None:
            return _("No registration opening in the waiting room's window.")
        counts, arrivals = rules.overview(rush, now=now)
        return render_to_string(
            "waitingroom/admin_overview.html",
            {"rush": rush, "counts": counts, "arrivals": arrivals, "terms": terms},
        )

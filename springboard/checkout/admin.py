from django.contrib import admin

from springboard.checkout.models import FeeSchedule
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin


@admin.register(FeeSchedule)
class FeeScheduleAdmin(OrganizationScopedAdmin):
    """Owners set prices of fees; staff see them."""

    edit_roles = OWNERS
    list_display = ["name", "amount", "applies", "frequency", "is_active"]

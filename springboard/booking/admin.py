"""Holds, enrollments, registrations, party bookings and waitlists in the staff admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from springboard.booking.models import (
    CartItem,
    DropRules,
    Enrollment,
    EventRegistration,
    PartyBooking,
    WaitlistEntry,
)
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin


@admin.register(CartItem)
class CartItemAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "family", "student", "course", "status", "added_at", "expires_at"]
    list_filter = ["kind", "status"]
    autocomplete_fields = ["family", "student", "course", "event", "party_slot", "waitlist_entry"]


@admin.register(Enrollment)
class EnrollmentAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "status", "created_at", "ends_at"]
    list_filter = ["status"]
    autocomplete_fields = ["student", "course"]
    readonly_fields = ["dropped_at", "ends_at"]
    actions: list = []  # tuition.admin adds "drop and refund" (it may import billing)


@admin.register(DropRules)
class DropRulesAdmin(OrganizationScopedAdmin):
    """How families drop, transfer and cancel online (docs/booking.md, "Rules for changes");
    one row for the organization, optionally one per program; owners edit."""

    list_display = [
        "__str__",
        "organization",
        "program",
        "online",
        "approval",
        "notice",
        "unused_month",
        "transfer_online",
        "transfer_approval",
    ]
    fieldsets = [
        (None, {"fields": ["organization", "program"]}),
        (
            _("Drops"),
            {"fields": ["online", "approval", "notice", "notice_days", "unused_month"]},
        ),
        (
            _("Transfers"),
            {
                "fields": [
                    "transfer_online",
                    "transfer_approval",
                    "transfer_notice",
                    "transfer_difference",
                    "transfer_request_days",
                ]
            },
        ),
        (
            _("Camps and parties (the organization's row)"),
            {
                "fields": [
                    "cancel_online",
                    "cancel_full_days",
                    "cancel_partial_days",
                    "cancel_partial_percent",
                    "cancel_refund_to",
                ]
            },
        ),
    ]
    edit_roles = OWNERS


@admin.register(EventRegistration)
class EventRegistrationAdmin(OrganizationScopedAdmin):
    list_display = ["student", "event_day", "status", "created_at"]
    autocomplete_fields = ["student"]
    raw_id_fields = ["event_day"]  # no admin of its own: ScopedRawIdWidget names own days only


@admin.register(PartyBooking)
class PartyBookingAdmin(OrganizationScopedAdmin):
    list_display = ["family", "slot", "package", "guest_count", "status"]
    autocomplete_fields = ["family", "slot"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "status", "joined_at", "offer_expires_at"]
    list_filter = ["status"]
    autocomplete_fields = ["family", "student", "course"]
    search_fields = ["student__first_name", "student__last_name", "course__name"]

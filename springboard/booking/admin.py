"""Holds, enrollments, registrations, party bookings and waitlists in the staff admin."""

from django.contrib import admin

from springboard.booking.models import (
    CartItem,
    Enrollment,
    EventRegistration,
    PartyBooking,
    WaitlistEntry,
)
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin


@admin.register(CartItem)
class CartItemAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "family", "student", "course", "status", "added_at", "expires_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["family", "student", "course", "event", "party_slot", "waitlist_entry"]


@admin.register(Enrollment)
class EnrollmentAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["student", "course"]


@admin.register(EventRegistration)
class EventRegistrationAdmin(OrganizationScopedAdmin):
    list_display = ["student", "event_day", "status", "created_at"]
    raw_id_fields = ["student", "event_day"]


@admin.register(PartyBooking)
class PartyBookingAdmin(OrganizationScopedAdmin):
    list_display = ["family", "slot", "package", "guest_count", "status"]
    raw_id_fields = ["family", "slot"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "status", "joined_at", "offer_expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["family", "student", "course"]

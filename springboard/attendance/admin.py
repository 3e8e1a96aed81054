"""Absence and makeup rules (owners edit), and the absences and makeups families made."""

from django.contrib import admin

from springboard.attendance.models import Absence, AttendanceRules, Makeup
from springboard.tenancy.admin_scoping import OWNERS, OrganizationScopedAdmin


@admin.register(AttendanceRules)
class AttendanceRulesAdmin(OrganizationScopedAdmin):
    """docs/booking.md, "Absences and makeups": one row for the organization (program
    empty) and optionally one per program."""

    list_display = [
        "__str__",
        "organization",
        "program",
        "absences_online",
        "absence_approval",
        "cutoff_hours",
        "makeups_allowed",
        "makeup_approval",
        "credit_days",
        "max_makeups_per_term",
    ]
    fields = [
        "organization",
        "program",
        "absences_online",
        "absence_approval",
        "cutoff_hours",
        "makeups_allowed",
        "makeup_approval",
        "credit_days",
        "same_program",
        "max_makeups_per_term",
    ]
    autocomplete_fields = ["program"]
    edit_roles = OWNERS


@admin.register(Absence)
class AbsenceAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "date", "status", "marked_at", "credit_expires_at"]
    list_filter = ["status"]
    # Families make these; staff see them (and may undo one by its status).
    readonly_fields = [
        "enrollment",
        "course",
        "student",
        "date",
        "starts_at",
        "marked_at",
        "undone_at",
        "credit_expires_at",
        "request",
    ]


@admin.register(Makeup)
class MakeupAdmin(OrganizationScopedAdmin):
    list_display = ["student", "course", "date", "status", "booked_at"]
    list_filter = ["status"]
    readonly_fields = [
        "family",
        "absence",
        "student",
        "course",
        "date",
        "starts_at",
        "booked_at",
        "cancelled_at",
        "request",
    ]

"""The catalogue in the staff admin: every class is OrganizationScopedAdmin, so lists, forms and
every foreign-key / many-to-many choice (programs, terms, locations, levels, instructors,
packages) offer only the staff member's organizations' rows."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from springboard.catalog.models import (
    Closure,
    Course,
    Event,
    EventDay,
    Level,
    PartyAddOn,
    PartyPackage,
    PartySlot,
    Program,
    Term,
)
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin, OrganizationScopedInline

# A plain related filter would list every organization's terms and locations; this one lists
# only those of rows the staff member can see (the scoped queryset).
RELATED_ONLY = admin.RelatedOnlyFieldListFilter

AGES = (
    _("Ages and gender"),
    {
        "fields": [
            ("min_age_years", "min_age_months"),
            ("max_age_years", "max_age_months"),
            "gender",
        ]
    },
)


@admin.register(Program)
class ProgramAdmin(TranslationAdmin, OrganizationScopedAdmin):
    list_display = ["name", "organization", "position"]
    search_fields = ["name"]


@admin.register(Level)
class LevelAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "position"]
    search_fields = ["name"]


@admin.register(Term)
class TermAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "start_date", "end_date", "enrollment_opens_at"]
    search_fields = ["name"]


@admin.register(Closure)
class ClosureAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "start_date", "end_date", "location"]


@admin.register(Course)
class CourseAdmin(TranslationAdmin, OrganizationScopedAdmin):
    list_display = ["name", "term", "location", "program", "start_time", "capacity"]
    list_filter = [
        ("term", RELATED_ONLY),
        ("program", RELATED_ONLY),
        ("location", RELATED_ONLY),
        "shown_on_web",
    ]
    list_select_related = ["term", "location", "program"]
    search_fields = ["name", "room"]
    filter_horizontal = ["instructors"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "program", "level", "term", "description"]}),
        (_("Where"), {"fields": ["location", "room"]}),
        (
            _("When"),
            {
                "fields": [
                    ("monday", "tuesday", "wednesday", "thursday"),
                    ("friday", "saturday", "sunday"),
                    ("start_time", "end_time"),
                ]
            },
        ),
        AGES,
        (
            _("Places and tuition"),
            {
                "fields": [
                    "instructors",
                    "capacity",
                    "waitlist_allowed",
                    ("tuition", "tuition_period"),
                    "shown_on_web",
                ]
            },
        ),
    ]


class EventDayInline(OrganizationScopedInline):
    model = EventDay
    extra = 1


@admin.register(Event)
class EventAdmin(TranslationAdmin, OrganizationScopedAdmin):
    list_display = ["name", "kind", "location", "capacity_per_day", "shown_on_web"]
    list_filter = ["kind", ("location", RELATED_ONLY)]
    search_fields = ["name"]
    inlines = [EventDayInline]
    fieldsets = [
        (None, {"fields": ["organization", "kind", "name", "description", "location", "room"]}),
        AGES,
        (
            _("Places and prices"),
            {
                "fields": [
                    "capacity_per_day",
                    "price_per_day",
                    "price_whole_event",
                    "deposit",
                    "single_days_bookable",
                    "shown_on_web",
                ]
            },
        ),
    ]


class PartyAddOnInline(OrganizationScopedInline):
    model = PartyAddOn
    extra = 1


@admin.register(PartyPackage)
class PartyPackageAdmin(TranslationAdmin, OrganizationScopedAdmin):
    list_display = ["name", "organization", "price", "guests_included", "max_guests"]
    search_fields = ["name"]
    inlines = [PartyAddOnInline]


@admin.register(PartySlot)
class PartySlotAdmin(OrganizationScopedAdmin):
    list_display = ["starts_at", "ends_at", "location", "room"]
    list_filter = [("location", RELATED_ONLY)]
    date_hierarchy = "starts_at"
    search_fields = ["room", "location__name"]
    filter_horizontal = ["packages"]

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from springboard.content.models import NewsItem, StaffProfile
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin


@admin.register(NewsItem)
class NewsItemAdmin(TranslationAdmin, OrganizationScopedAdmin):
    list_display = ["title", "organization", "published_at", "expires_at", "show_on_splash"]
    list_filter = ["show_on_splash"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_at"
    fields = [
        "organization",
        "title",
        "summary",
        "body_html",
        "image",
        "image_alt",
        "show_on_splash",
        "published_at",
        "expires_at",
    ]


@admin.register(StaffProfile)
class StaffProfileAdmin(OrganizationScopedAdmin):
    list_display = ["name", "title", "organization", "position", "is_visible"]
    search_fields = ["name", "title"]

"""Which staff-entered texts may have a Spanish version (django-modeltranslation; docs/i18n.md)."""

from modeltranslation.translator import TranslationOptions, register

from springboard.tenancy.models import PortalSettings


@register(PortalSettings)
class PortalSettingsTranslation(TranslationOptions):
    fields = (
        "proshop_title",
        "welcome_title",
        "welcome_html",
        "staff_page_title",
        "staff_page_html",
    )

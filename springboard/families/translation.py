"""Which staff-entered texts may have a Spanish version (django-modeltranslation; docs/i18n.md).

A policy's versions keep the main-language words families agree to; the Spanish text is shown
beside the current version as a courtesy translation (PolicyVersion.text_for_reader)."""

from modeltranslation.translator import TranslationOptions, register

from springboard.families.models import Policy


@register(Policy)
class PolicyTranslation(TranslationOptions):
    fields = ("title", "text")

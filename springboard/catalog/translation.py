"""Which staff-entered texts may have a Spanish version (django-modeltranslation; docs/i18n.md)."""

from modeltranslation.translator import TranslationOptions, register

from springboard.catalog.models import Course, Event, PartyPackage, Program


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("description",)


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("description",)


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("description",)


@register(PartyPackage)
class PartyPackageTranslation(TranslationOptions):
    fields = ("description",)

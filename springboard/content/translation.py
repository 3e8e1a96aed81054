"""Which staff-entered texts may have a Spanish version (django-modeltranslation; docs/i18n.md)."""

from modeltranslation.translator import TranslationOptions, register

from springboard.content.models import NewsItem


@register(NewsItem)
class NewsItemTranslation(TranslationOptions):
    fields = ("title", "summary", "body_html")

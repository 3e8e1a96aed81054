"""The language a family's emails are written in (docs/i18n.md).

Every email to a family is rendered inside `in_language_of(family)`, whoever or whatever
triggered it (another family's drop freeing a seat, the autopay run at night), so it is in the
family's language rather than the triggering visitor's. An unknown or empty code is the
organization's main language.
"""

from django.conf import settings
from django.utils import translation

from springboard.families import cached


def supported(code: str | None) -> str:
    """`code` when the portal speaks it (es-MX counts as es), else the main language."""
    code = (code or "").strip().lower()
    available = {language for language, _name in settings.LANGUAGES}
    if code in available:
        return code
    base = code.split("-")[0].split("_")[0]
    return base if base in available else settings.LANGUAGE_CODE


def current_language() -> str:
    """The language this request (or task) is speaking: a new family's emails start in it."""
    return supported(translation.get_language())


def language_of(family) -> str:
    return supported(getattr(family, "language", "") if family is not None else "")


def in_language_of(family):
    """`with in_language_of(family):` around the subject and the templates of an email."""
    return translation.override(language_of(family))


def remember_language(family, code: str) -> None:
    """The family's emails from now on are in `code` (one of settings.LANGUAGES)."""
    code = supported(code)
    if family.language != code:
        family.language = code
        type(family).objects.filter(pk=family.pk).update(language=code)
        cached.family_changed(family.pk)  # an update() sends no save signal

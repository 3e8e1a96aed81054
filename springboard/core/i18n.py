"""Stored text is written in the organization's main language (docs/i18n.md).

A row's words (a ledger reason, a stock movement's note) are read later by staff and by other
families, so they must not depend on the language of whoever's request happened to write them.
Pass the *lazy* message so it is translated here, inside the main language:

    reason=site_text(gettext_lazy("Class dropped by staff: %(enrollment)s"), enrollment=e)

Words a family reads in its own language are stored as structure instead and rendered when
read (billing/descriptions.py).
"""

from django.conf import settings
from django.utils import translation


def site_text(message, **args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % {name: str(value) for name, value in args.items()} if args else text

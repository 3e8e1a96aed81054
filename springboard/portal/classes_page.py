"""The classes list's page kept in the shared cache, all of it but its openings (issue 17).

A classes page shows what staff edit rarely (the filter form, which courses match and in what
order, their cards, the pages) and one thing that changes with every hold, order, enrollment
and expiry: each card's openings. With a shared cache (core.versions) the rendered filter form
and results are kept with a slot where each card's openings badge goes and the ids of the
courses in those cards, under the catalogue's version (catalog.cached: every course, program,
level, term, staff profile or instructor change bumps it) and the organizations' (tenancy.
cached: the organization, its portal settings, its locations). A request that finds the page
reads only the openings of its courses (one prepared query, at `request.now`) and puts them in
the slots: what a family sees is the database's answer at that moment, the same from every
worker, and an edit shows on the next request (docs/performance.md, "The classes page kept").

Only plain queries are kept: every parameter a known one, given once, no search text and not
"only with openings" (its list depends on the openings), no filter ignored, and the page asked
for the page shown. Any other query is answered from the database and not kept, so junk URLs
do not fill the cache.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from springboard.catalog import availability
from springboard.catalog.cached import version_key
from springboard.core import versions
from springboard.portal import course_cards
from springboard.tenancy import cached as organizations

KNOWN = frozenset(
    {"term", "page", "program", "level", "day", "time_of_day", "age", "gender", "instructor"}
)
NEVER_KEPT = ("q", "openings")  # free text; a list that depends on the openings themselves
# Pages are kept per process: one built by another release's templates and code (a deploy,
# a rolling restart sharing the cache) is never read. Each worker builds a page once per
# version (about 10 ms); the openings are every request's own either way.
_PROCESS = secrets.token_hex(8)


@dataclass(frozen=True)
class Page:
    """A classes page as kept: its HTML with one openings slot per card, in `ids`' order,
    and the terms it was built with (the term picker's, and the one shown)."""

    filters: str
    results: str
    ids: tuple[int, ...]
    terms: list
    term: object


def _key(request, *, location, today) -> str | None:
    if not (versions.enabled() and settings.CATALOG_PAGE_CACHE_SECONDS and location):
        return None
    query = request.GET
    if any(name not in KNOWN or len(query.getlist(name)) > 1 for name in query):
        return None
    parts = [
        _PROCESS,
        request.organization.pk,
        location.pk,
        get_language(),
        today.isoformat(),  # the listed terms are those not over yet
        query.urlencode(),  # the term asked for among them, the filters, the page
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"classes-page:{digest}"


def _version_keys(request) -> list[str]:
    return [version_key(request.organization.pk), organizations.VERSION]


class Kept:
    """The read of one request's page: `page` (or None) and how to keep a page built anew."""

    def __init__(self, request, *, location, today):
        self.key = _key(request, location=location, today=today)
        self.page, self._versions = None, None
        if self.key is not None:
            found, self._versions = versions.read(self.key, _version_keys(request))
            if found is not versions.MISSING:
                self.page = found

    @property
    def shell_key(self) -> tuple:
        """The key of the whole page around a found page (portal/page_shell.py): it shows
        what the page's key and versions say, besides the chrome."""
        return (self.key, self._versions)

    def keep(self, request, context, page: Page) -> None:
        """Keep a page built from the database, if its query is a plain one (see above)."""
        if self.key is None or not context["term"] or context["ignored"]:
            return
        if any(request.GET.get(name) for name in NEVER_KEPT):
            return
        asked = request.GET.get("page")
        if asked not in (None, "") and asked != str(context["page"].number):
            return
        versions.write(self.key, self._versions, page)


def fill(request, results: str, openings: list[availability.Openings]) -> SafeString:
    """The results with each card's openings badge in its slot, in order."""
    parts = results.split(course_cards.OPENINGS_SLOT)
    if len(parts) != len(openings) + 1:
        raise ValueError("a kept page's slots do not match its courses")
    display = request.organization.portal_settings.openings_display
    out = [parts[0]]
    made = {}  # a badge says only how many are left and whether there is a waitlist
    for found, rest in zip(openings, parts[1:], strict=True):
        says = (found.left, found.waitlist_allowed)
        if says not in made:
            made[says] = course_cards.badge(found, display)
        out += [made[says], rest]
    return mark_safe("".join(out))  # noqa: S308 (our own rendering and format_html's badges)


def openings_now(request, ids: tuple[int, ...]) -> list[availability.Openings]:
    """The openings of a kept page's courses, asked of the database at `request.now`."""
    found = availability.openings_of(ids, now=request.now)
    return [found.get(pk) or availability.Openings(0, 0) for pk in ids]

"""The course cards of the classes list: cached where they are stable, never stale.

A card shows what staff edit rarely (name, days, times, ages, program, level, instructors,
tuition) and one thing that changes with every hold, order, enrollment and expiry: the
openings. So a card is rendered once with a slot where its openings go and kept in the
shared cache (Redis in production, CACHE_URL) under a digest of *everything it shows* — a
course edit, a renamed program or instructor, another language or currency is another key,
so no invalidation is needed and no edit shows late. The openings badge is put into the slot
on every request from the list query's own annotations (catalog.availability: one grouped
query for the page), so what a family sees is the database's answer at `request.now`, the
same from every worker (docs/performance.md, "Openings that are never wrong").
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from springboard.catalog.availability import course_openings

CARD_TEMPLATE = "portal/booking/_course_card.html"
CARD_VERSION = "1"  # bump when _course_card.html changes what it shows
CARD_CACHE_SECONDS = 3600  # safe to keep long: the key changes whenever the card would
OPENINGS_SLOT = SafeString("<!--sb-openings-->")  # our own markup


def badge(openings, display: str) -> SafeString:
    """The openings badge of a card (catalog.availability.Openings, as the organization shows
    openings)."""
    tone = "text-bg-secondary" if openings.full else "text-bg-success"
    return format_html(
        '<span class="badge sb-openings {}" data-testid="openings">{}</span>',
        tone,
        openings.label(display),
    )


def openings_badge(request, course) -> SafeString:
    """The openings badge of a course, from its annotations (no query) at `request.now`."""
    display = request.organization.portal_settings.openings_display
    return badge(course_openings(course, now=request.now), display)


def _instructors(course) -> list:
    """course.instructors.all(), from the page's prefetch without building a manager."""
    prefetched = getattr(course, "_prefetched_objects_cache", {}).get("instructors")
    return prefetched if prefetched is not None else list(course.instructors.all())


def _key(request, course) -> str:
    organization = request.organization
    parts: list = [CARD_VERSION, organization.account_name, organization.currency, get_language()]
    parts += [getattr(course, field.attname) for field in type(course)._meta.concrete_fields]
    parts += [
        course.program.name if course.program_id else "",
        course.level.name if course.level_id else "",
        [(person.pk, person.name) for person in _instructors(course)],
    ]
    return "course-card:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _render(request, course) -> str:
    # The card template alone, without the context processors a full page runs.
    template = get_template(CARD_TEMPLATE).template
    context = {"request": request, "course": course, "verdict": None}
    return template.render(Context({**context, "openings_slot": OPENINGS_SLOT}))


def cards(request, courses) -> list[SafeString]:
    """The cards of a page of courses (instructors prefetched), each with OPENINGS_SLOT where
    its openings go (portal.classes_page.fill puts them in): one cache round trip for the
    page."""
    keep = settings.CATALOG_PAGE_CACHE_SECONDS > 0
    keys = [_key(request, course) for course in courses]
    found = cache.get_many(keys) if keep else {}
    rendered = {}
    out = []
    for key, course in zip(keys, courses, strict=True):
        static = found.get(key)
        if static is None:
            static = rendered[key] = _render(request, course)
        out.append(mark_safe(static))  # noqa: S308 (our own rendering)
    if keep and rendered:
        cache.set_many(rendered, CARD_CACHE_SECONDS)
    return out

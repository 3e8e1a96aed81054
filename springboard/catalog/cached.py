"""The catalogue's version in the shared cache (core.versions): one per organization.

What the classes list keeps of a page (its filter form, its cards, which courses and in what
order, portal/classes_page.py) is kept under this version, bumped by every save or delete of
one of the organization's courses, programs, levels, terms or staff profiles and by every
change of a course's instructors: an edit shows on the next request, from every worker. The
openings are never part of it (they are read on every request). Queryset updates of these
rows bypass the signals: call `catalogue_changed()` after one.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from springboard.catalog.models import Course, Level, Program, Term
from springboard.content.models import StaffProfile
from springboard.core import versions

SHOWN = (Course, Program, Level, Term, StaffProfile)


def version_key(organization_id: int) -> str:
    return f"v:catalogue:{organization_id}"


def catalogue_changed(organization_id: int) -> None:
    versions.bump(version_key(organization_id))


def _saved(sender, instance, **_kwargs) -> None:
    catalogue_changed(instance.organization_id)


def _instructors_changed(sender, instance, action: str, **_kwargs) -> None:
    # The instance is the course, or the staff profile when changed from its side.
    if action in ("post_add", "post_remove", "post_clear"):
        catalogue_changed(instance.organization_id)


def connect() -> None:
    for model in SHOWN:
        name = model.__name__
        post_save.connect(_saved, sender=model, dispatch_uid=f"catalogue-save-{name}")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"catalogue-delete-{name}")
    m2m_changed.connect(
        _instructors_changed,
        sender=Course.instructors.through,
        dispatch_uid="catalogue-instructors",
    )

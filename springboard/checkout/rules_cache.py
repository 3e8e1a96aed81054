"""An organization's active fee schedules and discount rules from the shared cache (issue 17,
item 3): pricing reads them on the cart page and at checkout start, and they change only
when staff edit them. Kept under one version per organization (core.versions), bumped by
every save or delete of a FeeSchedule or DiscountRule (`changed()` after a queryset update);
without a shared cache, read from the database as before.
"""

from django.db.models.signals import post_delete, post_save

from springboard.checkout.models import DiscountRule, FeeSchedule
from springboard.core import versions


def _version(organization_id: int) -> str:
    return f"v:pricing-rules:{organization_id}"


def _load(organization) -> tuple[list[FeeSchedule], list[DiscountRule]]:
    return (
        list(FeeSchedule.objects.for_organization(organization).filter(is_active=True)),
        list(DiscountRule.objects.for_organization(organization).filter(is_active=True)),
    )


def active(organization) -> tuple[list[FeeSchedule], list[DiscountRule]]:
    """(active fee schedules, active discount rules), each in its model's order."""
    if not versions.enabled():
        return _load(organization)
    return versions.read_through(
        f"pricing-rules:{organization.pk}", [_version(organization.pk)], lambda: _load(organization)
    )


def changed(organization_id: int) -> None:
    versions.bump(_version(organization_id))


def _saved(sender, instance, **_kwargs) -> None:
    changed(instance.organization_id)


def connect() -> None:
    for model in (FeeSchedule, DiscountRule):
        post_save.connect(_saved, sender=model, dispatch_uid=f"rules-cache-save-{model.__name__}")
        post_delete.connect(
            _saved, sender=model, dispatch_uid=f"rules-cache-delete-{model.__name__}"
        )

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


def _fee_schedules(organization) -> list[FeeSchedule]:
    return list(FeeSchedule.objects.for_organization(organization).filter(is_active=True))


def _discount_rules(organization) -> list[DiscountRule]:
    return list(DiscountRule.objects.for_organization(organization).filter(is_active=True))


def active(organization) -> tuple[list[FeeSchedule], list[DiscountRule]]:
    """(active fee schedules, active discount rules), each in its model's order."""
    if not versions.enabled():
        return _fee_schedules(organization), _discount_rules(organization)
    return versions.read_through(
        f"pricing-rules:{organization.pk}",
        [_version(organization.pk)],
        lambda: (_fee_schedules(organization), _discount_rules(organization)),
    )


def fee_schedules(organization) -> list[FeeSchedule]:
    """The organization's active fee schedules (one query without a shared cache)."""
    return active(organization)[0] if versions.enabled() else _fee_schedules(organization)


def discount_rules(organization) -> list[DiscountRule]:
    """The organization's active discount rules (one query without a shared cache)."""
    return active(organization)[1] if versions.enabled() else _discount_rules(organization)


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

"""The organization of /<account>/ and its locations from the shared cache (issue 17, item 3).

Every portal request needs the organization (with its portal settings) and its locations; they
change only when staff edit them. With a shared cache they are read from it under one version
for all organizations, bumped by every save or delete of an Organization, PortalSettings or
Location (springboard/core/versions.py): a rename, a switch or a new location shows on the
next request, from every worker. Queryset updates of these rows bypass the signals: call
`changed()` after one.
"""

from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from springboard.core import versions
from springboard.tenancy.models import Location, Organization, PortalSettings

VERSION = "v:organizations"
ACCOUNT_MAX = 50


def _entry(account: str) -> str:
    return f"organization:{account}"


def keys(account: str) -> list[str]:
    """What `organization_and_locations` reads (for versions.read_ahead)."""
    return [_entry(account), VERSION]


def changed(**_kwargs) -> None:
    versions.bump(VERSION)


def organization_and_locations(account: str):
    """(Organization with portal_settings, its locations) or None for no active one. Only
    found organizations are kept: a URL with any other account is not a cache entry."""
    if len(account) > ACCOUNT_MAX:
        return None  # longer than any account name (tenancy.models.validate_account_name)
    entry, *version_keys = keys(account)
    value, current = versions.read(entry, version_keys)
    if value is not versions.MISSING:
        return value
    organization = (
        Organization.objects.select_related("portal_settings")
        .filter(account_name=account, is_active=True)
        .first()
    )
    if organization is None:
        return None
    with scopes_disabled():  # before the request's scope is entered; filtered by hand
        locations = list(Location.objects.for_organization(organization))
    value = (organization, locations)
    versions.write(_entry(account), current, value)
    return value


def connect() -> None:
    for model in (Organization, PortalSettings, Location):
        post_save.connect(changed, sender=model, dispatch_uid=f"org-cache-save-{model.__name__}")
        post_delete.connect(
            changed, sender=model, dispatch_uid=f"org-cache-delete-{model.__name__}"
        )

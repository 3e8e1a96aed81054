"""State changes of tenancy: choosing a location for this browser."""

from springboard.tenancy.middleware import LOCATION_SESSION_KEY
from springboard.tenancy.models import Location, Organization, StaffMembership


def choose_location(session, *, organization: Organization, location: Location) -> None:
    if location.organization_id != organization.pk:
        raise ValueError("location of another organization")
    session[LOCATION_SESSION_KEY.format(organization.pk)] = location.pk


def memberships_by_organization(user) -> dict[int, str]:
    """organization id -> role, for a staff user (cached on the user object per request)."""
    cached = getattr(user, "_memberships_by_organization", None)
    if cached is None:
        # Every organization's memberships of this login, whatever scope the caller is in.
        memberships = StaffMembership.objects.with_scopes_disabled().filter(user=user)
        cached = dict(memberships.values_list("organization_id", "role"))
        user._memberships_by_organization = cached
    return cached

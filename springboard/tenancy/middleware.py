"""Resolve /<account>/ to request.organization once per request, and scope its reads."""

import re
import zoneinfo
from contextlib import ExitStack

from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from springboard.tenancy import cached
from springboard.tenancy.models import Location, Organization, validate_account_name

ACCOUNT_NAME = re.compile(validate_account_name.regex.pattern)
LOCATION_SESSION_KEY = "location:{}"
# URL namespaces whose views legitimately cross organizations (they scope by hand: the staff
# admin through admin_scoping).
CROSS_ORGANIZATION_NAMESPACES = {"admin"}


def current_location(request) -> Location | None:
    """The location this browser chose for this organization, else the organization's first."""
    organization = request.organization
    locations = organization_locations(request)
    chosen = request.session.get(LOCATION_SESSION_KEY.format(organization.pk))
    for location in locations:
        if location.pk == chosen:
            return location
    return locations[0] if locations else None


def organization_locations(request) -> list[Location]:
    cached = getattr(request, "_organization_locations", None)
    if cached is None:
        cached = list(Location.objects.for_organization(request.organization))
        request._organization_locations = cached
    return cached


class OrganizationMiddleware:
    """Views under /<account>/ get request.organization set here.

    The `account` URL argument is consumed, so portal views never look an organization up
    themselves; an unknown or inactive account is a 404 before any view runs.

    Tenant rows (TenantModel managers, django-scopes) are read inside a scope: a portal
    request in `scope(organization=request.organization)`, the admin in `scopes_disabled()`,
    and every other request in a scope without an organization, where any tenant read raises
    ScopeError instead of leaking.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        staff_zone = self._staff_time_zone(request)
        if staff_zone:
            # Staff type and read times in their organization's zone, not the server's UTC.
            timezone.activate(zoneinfo.ZoneInfo(staff_zone))
        with ExitStack() as scopes:
            scopes.enter_context(scope())
            request._tenancy_scopes = scopes
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()

    @staticmethod
    def _staff_time_zone(request) -> str | None:
        user = getattr(request, "user", None)
        if not request.path.startswith("/admin/") or user is None or not user.is_staff:
            return None
        zones = set(
            Organization.objects.filter(staffmembership__user=user).values_list(
                "time_zone", flat=True
            )
        )
        return zones.pop() if len(zones) == 1 else None

    def process_view(self, request, view_func, view_args, view_kwargs):
        account = view_kwargs.pop("account", None)
        scopes = request._tenancy_scopes  # closed by __call__ when the response is made
        if account is None:
            match = request.resolver_match
            if match is not None and CROSS_ORGANIZATION_NAMESPACES & set(match.namespaces):
                scopes.enter_context(scopes_disabled())
            return None
        if not isinstance(account, str) or not ACCOUNT_NAME.fullmatch(account):
            # No organization has that name (the API's {account} takes any text, a NUL
            # included, which PostgreSQL would refuse with an error): the same 404.
            raise Http404("No such portal")
        if cached.versions.enabled():
            found = cached.organization_and_locations(account)
            if found is None:
                raise Http404("No such portal")
            organization, request._organization_locations = found
        else:
            try:
                organization = Organization.objects.select_related("portal_settings").get(
                    account_name=account, is_active=True
                )
            except Organization.DoesNotExist:
                raise Http404("No such portal") from None
        request.organization = organization
        scopes.enter_context(scope(organization=organization))
        timezone.activate(zoneinfo.ZoneInfo(organization.time_zone))
        return None

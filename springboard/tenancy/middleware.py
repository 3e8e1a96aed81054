"""Resolve /<account>/ to request.organization once per request."""

from django.http import Http404

from springboard.tenancy.models import Location, Organization

LOCATION_SESSION_KEY = "location:{}"


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
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        account = view_kwargs.pop("account", None)
        if account is None:
            return None
        try:
            organization = Organization.objects.select_related("portal_settings").get(
                account_name=account, is_active=True
            )
        except Organization.DoesNotExist:
            raise Http404("No such portal") from None
        request.organization = organization
        return None

"""The family of the request, the policy gate, and the shared-cache read-ahead before them.

Runs after OrganizationMiddleware (which sets request.organization in process_view). A
logged-in family that has not agreed to every required policy sees only the policy screen:
every other portal page redirects there (HTMX requests get HX-Redirect), except the pages a
family needs to get there or out.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import translation

from springboard.core import versions
from springboard.families import cached
from springboard.families.language import language_of
from springboard.families.policies import must_agree
from springboard.families.services import family_for
from springboard.portal.views.family_access import portal_url, with_next
from springboard.tenancy import cached as tenancy_cached

# URL names of the portal that stay open while policies are pending.
OPEN_DURING_POLICY_GATE = {
    "logout",
    "policies",
    "policy_detail",
    "family_policies",
    "student_policies",
    "switch_organizations",
    "confirm_email",
    "resend_code",
    "signup_student",
}


class ReadAheadMiddleware:
    """One round trip to the shared cache for a logged-in portal request's lookups.

    Before the view, OrganizationMiddleware reads the organization, the auth backend the login
    and FamilyMiddleware the family and its gate, each from the shared cache under its
    versions: three round trips (docs/performance.md, "third pass"). Runs just before
    OrganizationMiddleware and fetches all their keys at once (versions.read_ahead); the
    family's key needs the organization's id, taken from the last request for this account
    (a stale one only means the family is read in a round trip of its own). Ended by
    FamilyMiddleware before the view, so nothing a view writes is ever read from it.
    """

    _organization_ids: dict[str, int] = {}  # account -> id, per process: a hint only
    _ENTRIES = 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            versions.end_read_ahead()
        organization = getattr(request, "organization", None)
        if organization is not None:
            ids = self._organization_ids
            if len(ids) >= self._ENTRIES:
                ids.clear()
            ids[organization.account_name] = organization.pk
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        account = view_kwargs.get("account")
        if not isinstance(account, str) or not versions.enabled():
            return None
        try:
            user_id = get_user_model()._meta.pk.to_python(request.session.get(SESSION_KEY))
        except ValidationError:
            return None
        if user_id is None:
            return None  # a visitor: only the organization is read, in one round trip anyway
        keys = [*tenancy_cached.keys(account), *cached.user_keys(user_id)]
        organization_id = self._organization_ids.get(account)
        if organization_id is not None:
            keys += cached.family_keys(organization_id, user_id)
        versions.read_ahead(list(dict.fromkeys(keys)))
        return None


class FamilyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.family = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            return self._gate(request)
        finally:
            versions.end_read_ahead()  # the view reads the cache itself (ReadAheadMiddleware)

    def _gate(self, request):
        organization = getattr(request, "organization", None)
        if organization is None or not request.user.is_authenticated:
            return None
        user = request.user
        pending = None  # whether a required policy is pending; None: not looked up yet
        if cached.versions.enabled():  # from the shared cache (families/cached.py)
            family, pending = cached.family_and_gate(
                user, organization, lambda: family_for(user, organization), must_agree
            )
        else:
            family = family_for(user, organization)
        request.family = family
        if (
            family is not None
            and family.language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            # A new device, no choice made here yet: the family's own language (docs/i18n.md).
            translation.activate(language_of(family))
            request.LANGUAGE_CODE = translation.get_language()
        match = request.resolver_match
        if (
            family is None
            or match is None
            or match.namespace != "portal"
            or match.url_name in OPEN_DURING_POLICY_GATE
            or not (must_agree(family) if pending is None else pending)
        ):
            return None
        next_url = request.get_full_path() if request.method == "GET" else None
        if request.headers.get("HX-Request"):
            # The page to come back to is the one showing, not the fragment asked for.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            next_url = current.path + (f"?{current.query}" if current.query else "") or None
            response = HttpResponse(status=200)
            response["HX-Redirect"] = with_next(portal_url(request, "policies"), next_url)
            return response
        return HttpResponseRedirect(with_next(portal_url(request, "policies"), next_url))

"""The family of the request, and the policy gate.

Runs after OrganizationMiddleware (which sets request.organization in process_view). A
logged-in family that has not agreed to every required policy sees only the policy screen:
every other portal page redirects there (HTMX requests get HX-Redirect), except the pages a
family needs to get there or out.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import translation

from springboard.families import cached
from springboard.families.language import language_of
from springboard.families.policies import must_agree
from springboard.families.services import family_for
from springboard.portal.views.family_access import portal_url, with_next

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


class FamilyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.family = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
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

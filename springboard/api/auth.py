"""Who calls the API (docs/api.md, "Authentication").

- A session (the portal's login cookie): unsafe methods need Django's CSRF token
  (X-CSRFToken), like the portal's forms.
- A token (Authorization: Bearer sbt_…) from POST /auth/token: for mobile apps, no cookies,
  no CSRF. Only the organization it was issued in accepts it.

Either way the caller acts for the family its login is a guardian of in this organization
(families.services.family_for), and every id is read through that family.
"""

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from springboard.api import throttles, tokens
from springboard.families.policies import must_agree
from springboard.families.services import family_for


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = tokens.find(organization=request.organization, raw=token, now=request.now)
        if found is None:
            return None
        request.api_token = found
        request.user = found.user
        return found.user


class FamilySessionAuth(SessionAuth):
    """The portal's session; Django's CSRF check on unsafe methods (ninja's SessionAuth)."""

    def authenticate(self, request, key):
        if not key:  # no session cookie: nothing to check CSRF for
            return None
        return super().authenticate(request, key)

    def _get_key(self, request):
        if request.COOKIES.get(self.param_name) is None:
            return None
        return super()._get_key(request)


FAMILY_AUTH = [TokenAuth(), FamilySessionAuth()]


def family_of(request, *, booking: bool = False):
    """The caller's family here, else 403. `booking`: also past the policy gate (the portal's
    middleware sends such a family to the policy screen; the API says so)."""
    throttles.check(request)
    family = getattr(request, "api_family", None) or family_for(request.auth, request.organization)
    if family is None:
        raise HttpError(403, _("This login has no family at this organization."))
    request.api_family = family
    if booking and must_agree(family):
        raise HttpError(
            403, _("Please agree to the required policies in the portal before booking.")
        )
    return family

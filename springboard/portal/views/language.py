"""The MENU's language switch (docs/i18n.md).

Like Django's `set_language`, but inside the organization's portal URLs: the choice is kept in
Django's language cookie for the visitor and, for a logged-in family, on the family so its
emails are written in it. An unknown code is the main language (English), never an error.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from springboard.families.language import remember_language, supported
from springboard.portal.views.family_access import portal_url


@require_POST
def set_language(request):
    code = supported(request.POST.get("language"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = portal_url(request, "dashboard")
    if getattr(request, "family", None) is not None:
        remember_language(request.family, code)
    translation.activate(code)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response

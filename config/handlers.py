"""Django's error handlers: the portal's pages, or JSON `{"detail": ...}` for the API.

Errors raised before an API view runs (an unknown account in OrganizationMiddleware, a
body over Django's upload limit, an unknown /api/ path) reach these, not ninja's handlers.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from springboard.portal.views import home

API_PREFIX = "/api/"


def _api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return home.bad_request(request, exception)


def forbidden(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("Forbidden.")}, status=403)
    return home.forbidden(request, exception)


def not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return home.not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": _("Something went wrong on our side.")}, status=500)
    return home.server_error(request)

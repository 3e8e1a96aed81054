"""A method a path of the API does not have: 405 in JSON (ninja answers a bare 405)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        answer = JsonResponse({"detail": _("This method is not allowed here.")}, status=405)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer

"""Helpers of the family pages: who is asking, where to go next, who may see a page."""

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from springboard.families import throttle

NEXT_MAX_LENGTH = 2000


def portal_url(request, name: str, *args) -> str:
    return reverse(f"portal:{name}", args=[request.organization.account_name, *args])


client_ip = throttle.client_ip


def safe_next(request, fallback: str | None = None) -> str:
    """The `next` asked for when it is a page of this organization's portal, else fallback."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/{request.organization.account_name}/"
    if (
        candidate
        and len(candidate) <= NEXT_MAX_LENGTH
        and candidate.startswith(prefix)
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return fallback if fallback is not None else portal_url(request, "dashboard")


def with_next(url: str, next_url: str | None) -> str:
    if not next_url:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_url})}"


def family_required(view):
    """A visitor logs in first; a login without a family here creates one first (or, for a
    page of one row, gets a 404: no row of this organization can be its own)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(
                with_next(portal_url(request, "login"), request.get_full_path())
            )
        if getattr(request, "family", None) is None:
            if kwargs:
                raise Http404("No family of this login here")
            return HttpResponseRedirect(
                with_next(portal_url(request, "create_family_here"), request.get_full_path())
            )
        return view(request, *args, **kwargs)

    return wrapped

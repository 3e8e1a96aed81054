"""The private calendar feed and My Account's buttons that make or reset its URL.

The feed is fetched by calendar apps without a session: the token in the URL is the only
credential, so anything but a live token of this organization is a plain 404 (malformed,
huge, non-ASCII, reset, another organization's) and the answer is never cached by shared
caches (docs/accounts.md, "Calendar feed").
"""

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from springboard.families.calendar_feeds import family_for_token, issue_feed
from springboard.portal.calendar_feed import feed_calendar
from springboard.portal.views.family_access import family_required, portal_url


@require_safe
def feed(request, token):
    family = family_for_token(request.organization, token)
    if family is None:
        raise Http404("No such calendar")
    body = feed_calendar(family, organization=request.organization, now=request.now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, max_age=300)
    return response


@require_POST
@family_required
def create(request):
    issue_feed(family=request.family, now=request.now)
    return HttpResponseRedirect(portal_url(request, "account") + "#calendar-title")


@require_http_methods(["GET", "POST"])
@family_required
def reset(request):
    """A confirmation page (GET), then a new URL (POST): the old one stops in every app."""
    if request.method == "POST":
        issue_feed(family=request.family, now=request.now)
        return HttpResponseRedirect(
            portal_url(request, "account") + "?calendar=reset#calendar-title"
        )
    return render(request, "portal/accounts/calendar_reset.html")

"""Live: the organization's stream for logged-in families (when the owner turns it on)."""

from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.http import Http404
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.http import require_GET

from springboard.portal.views.family_access import family_required

# What a <video> element plays by itself in every current browser.
PLAYABLE_SUFFIXES = (".mp4", ".webm", ".ogg", ".ogv", ".mov", ".m4v")


def playable_in_browser(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(PLAYABLE_SUFFIXES)


@require_GET
@family_required
def live(request):
    settings = request.organization.portal_settings
    if not settings.live_enabled or not settings.live_stream_url:
        raise Http404("Live is off")
    url = settings.live_stream_url
    embed = playable_in_browser(url)
    response = render(request, "portal/accounts/live.html", {"stream_url": url, "embed": embed})
    if embed:
        # This page alone may load media from the stream's origin (the same mechanism as
        # django.views.decorators.csp.csp_override, with the origin known only now).
        parts = urlsplit(url)
        config = dict(django_settings.SECURE_CSP)
        config["media-src"] = [CSP.SELF, f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = config
    return response

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from springboard.api.api import api
from springboard.checkout import stripe_webhooks
from springboard.portal.views import home as portal_home

admin.site.site_header = "Springboard staff"
admin.site.site_title = "Springboard staff"
admin.site.index_title = "Your organizations"

urlpatterns = [
    path("", portal_home.portal_index, name="portal_index"),
    path("admin/", admin.site.urls),
    # Stripe's webhooks, per organization ("gateways" is a reserved account name).
    path(
        "gateways/stripe/<slug:account>/webhook/",
        stripe_webhooks.webhook,
        name="stripe_webhook",
    ),
    # The waiting page's cache-only refresh, outside /<account>/: no organization, session or
    # family lookup before it (docs/booking.md, "Waiting room").
    path("waiting-room/", include("springboard.waitingroom.urls")),
    # The JSON API ("api" is a reserved account name): /api/v1/<account>/… and the schema at
    # /api/v1/openapi.json (docs/api.md).
    path("api/v1/", api.urls),
    path("<slug:account>/", include("springboard.portal.urls")),
]
if settings.DEBUG or settings.TESTING or settings.ALLOW_SANDBOX_GATEWAY:
    # The built-in sandbox gateway ("sandbox" is a reserved account name: no portal clashes);
    # not mounted in production (springboard.billing.gateways.stripe.checks refuses it there).
    urlpatterns.insert(2, path("sandbox/", include("springboard.billing.gateways.sandbox.urls")))
if settings.SERVE_MEDIA:
    # The demo and the tests only; production serves MEDIA_ROOT from the reverse proxy.
    urlpatterns.insert(
        0, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

# The portal's error pages, in JSON under /api/ (config/handlers.py).
handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.forbidden"
handler404 = "config.handlers.not_found"
handler500 = "config.handlers.server_error"

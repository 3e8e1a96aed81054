"""Mounted at /sandbox/ by config/urls.py (outside /<account>/: it is the processor, not a
portal page), so the endpoint is /sandbox/gateway/tokens. "sandbox" is a reserved account
name, so no portal can shadow it."""

from django.urls import path

from springboard.billing.gateways.sandbox import views

app_name = "sandbox_gateway"
urlpatterns = [
    path("gateway/tokens", views.tokens, name="tokens"),
    path("gateway/try/<slug:merchant>", views.try_fields, name="try"),
]

"""Which gateway an organization uses: settings.PAYMENT_GATEWAY (a dotted path) chooses one
adapter for the whole installation; empty, each organization's own payment processor
settings choose (stripe_gateway.GatewaySettings: Stripe with its keys), and the built-in
sandbox is the default (refused in production by stripe_gateway.checks)."""

from django.conf import settings
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled

from springboard.billing.gateways.base import Gateway
from springboard.core.prepared import Prepared

DEFAULT_GATEWAY = "springboard.billing.gateways.sandbox.gateway.SandboxGateway"
STRIPE_GATEWAY = "springboard.billing.gateways.stripe.gateway.StripeGateway"


def _settings(organization_id: int):
    from springboard.billing.gateways.stripe.models import GatewaySettings

    return GatewaySettings.objects.filter(organization_id=organization_id)


# Compiled once per process (core.prepared): every pay page and payment chooses the gateway.
_SETTINGS = Prepared(_settings)


def get_gateway(organization) -> Gateway:
    path = getattr(settings, "PAYMENT_GATEWAY", "")
    if path:
        return import_string(path)(organization)
    with scopes_disabled():  # filtered by the organization given, whatever scope we are in
        found = _SETTINGS(organization_id=organization.pk)  # one row per organization at most
    config = found[0] if found else None
    if config is not None and config.is_real:
        return import_string(STRIPE_GATEWAY)(organization, config=config)
    return import_string(DEFAULT_GATEWAY)(organization)


def request_gateway(request) -> Gateway:
    """The gateway of the request's organization, chosen once per request (issue 17: the
    checkout read the processor settings for the view and again for the page's CSP)."""
    organization = request.organization
    chosen = getattr(request, "_payment_gateway", None)
    if chosen is None or chosen.organization is not organization:
        chosen = get_gateway(organization)
        request._payment_gateway = chosen
    return chosen


def chosen_stripe(request) -> bool | None:
    """Whether the gateway this request chose (request_gateway) is the organization's Stripe
    account; None when it chose none (the caller reads the settings)."""
    chosen = getattr(request, "_payment_gateway", None)
    if chosen is None or chosen.organization is not getattr(request, "organization", None):
        return None
    if getattr(settings, "PAYMENT_GATEWAY", ""):
        return False  # one adapter for the installation: never the organization's Stripe
    cls = type(chosen)
    return f"{cls.__module__}.{cls.__qualname__}" == STRIPE_GATEWAY

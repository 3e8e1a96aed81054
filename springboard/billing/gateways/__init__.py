"""Which gateway an organization uses: settings.PAYMENT_GATEWAY (a dotted path) chooses one
adapter for the whole installation; empty, each organization's own payment processor
settings choose (stripe_gateway.GatewaySettings: Stripe with its keys), and the built-in
sandbox is the default (refused in production by stripe_gateway.checks)."""

from django.conf import settings
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled

from springboard.billing.gateways.base import Gateway

DEFAULT_GATEWAY = "springboard.billing.gateways.sandbox.gateway.SandboxGateway"
STRIPE_GATEWAY = "springboard.billing.gateways.stripe.gateway.StripeGateway"


def get_gateway(organization) -> Gateway:
    path = getattr(settings, "PAYMENT_GATEWAY", "")
    if path:
        return import_string(path)(organization)
    from springboard.billing.gateways.stripe.models import GatewaySettings

    with scopes_disabled():  # filtered by the organization given, whatever scope we are in
        config = GatewaySettings.objects.filter(organization=organization).first()
    if config is not None and config.is_real:
        return import_string(STRIPE_GATEWAY)(organization, config=config)
    return import_string(DEFAULT_GATEWAY)(organization)

"""Which gateway an organization uses: settings.PAYMENT_GATEWAY names the adapter class
(dotted path); the built-in sandbox is the default. A real processor's adapter subclasses
`base.Gateway` and is selected the same way (per organization once settings allow it)."""

from django.conf import settings
from django.utils.module_loading import import_string

from springboard.billing.gateways.base import Gateway

DEFAULT_GATEWAY = "springboard.billing.gateways.sandbox.gateway.SandboxGateway"


def get_gateway(organization) -> Gateway:
    path = getattr(settings, "PAYMENT_GATEWAY", "") or DEFAULT_GATEWAY
    return import_string(path)(organization)

from django.apps import AppConfig


class SandboxGatewayConfig(AppConfig):
    """The built-in test processor: its own tables, endpoint and script, apart from ours."""

    name = "springboard.billing.gateways.sandbox"
    label = "sandbox_gateway"
    verbose_name = "Sandbox gateway"

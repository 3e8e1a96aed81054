from django.apps import AppConfig


class StripeGatewayConfig(AppConfig):
    name = "springboard.billing.gateways.stripe"
    label = "stripe_gateway"
    verbose_name = "Payment processor"

    def ready(self) -> None:
        from springboard.billing.gateways.stripe import checks  # noqa: F401 - registers

from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "springboard.checkout"
    label = "checkout"
    verbose_name = "Checkout"

    def ready(self) -> None:
        # Explicit registries: pending orders take places; housekeeping expires them.
        from springboard.checkout import availability, housekeeping, rules_cache  # noqa: F401

        availability.register()
        rules_cache.connect()  # fee schedules and discount rules in the shared cache

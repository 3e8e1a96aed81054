from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "springboard.billing"
    label = "billing"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from springboard.billing import housekeeping  # noqa: F401  (registers autopay)

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "springboard.billing"
    label = "billing"
    verbose_name = "Ledger"

    def ready(self) -> None:
        # Autopay: its housekeeping job and its admin (kept out of admin.py, the ledger's).
        from springboard.billing import autopay_admin, housekeeping  # noqa: F401

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "springboard.billing"
    label = "billing"
    verbose_name = "Ledger"

from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "springboard.checkout"
    label = "checkout"
    verbose_name = "Checkout"

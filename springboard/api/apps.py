from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "springboard.api"
    label = "api"
    verbose_name = "JSON API"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "springboard.core"
    label = "core"
    verbose_name = "Core"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "springboard.demo"
    label = "demo"

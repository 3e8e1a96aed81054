from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "springboard.content"
    label = "content"

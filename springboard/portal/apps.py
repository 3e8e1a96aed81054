from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "springboard.portal"
    label = "portal"

from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "springboard.families"
    label = "families"

from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "springboard.families"
    label = "families"

    def ready(self) -> None:
        from springboard.families import housekeeping  # noqa: F401  (registers its job)

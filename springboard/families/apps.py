from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "springboard.families"
    label = "families"

    def ready(self) -> None:
        from springboard.families import cached, checks, housekeeping  # noqa: F401  (register)

        cached.connect()

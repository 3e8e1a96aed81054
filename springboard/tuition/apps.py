from django.apps import AppConfig


class TuitionConfig(AppConfig):
    name = "springboard.tuition"
    label = "tuition"
    verbose_name = "Monthly tuition"

    def ready(self) -> None:
        from springboard.tuition import housekeeping  # noqa: F401  (registers the run)

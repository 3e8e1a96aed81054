from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "springboard.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from springboard.tenancy import cached

        cached.connect()

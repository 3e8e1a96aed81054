from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "springboard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from springboard.catalog import schedule

        schedule.connect()  # the closures' version in the shared cache

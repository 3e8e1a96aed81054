from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "springboard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from springboard.catalog import cached, schedule

        schedule.connect()  # the closures' version in the shared cache
        cached.connect()  # the catalogue's version (the classes list's pages)

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "springboard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

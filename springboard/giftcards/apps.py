from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiftCardsConfig(AppConfig):
    name = "springboard.giftcards"
    label = "giftcards"
    verbose_name = _("eGift Cards")

    def ready(self) -> None:
        from springboard.giftcards import housekeeping  # noqa: F401 - registers its job

from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "springboard.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Explicit registries, not signals: availability counts holds, enrollments and offers;
        # housekeeping sweeps expired holds and offers.
        from springboard.booking import availability, housekeeping  # noqa: F401

        availability.register()

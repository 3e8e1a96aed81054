from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "springboard.attendance"
    label = "attendance"
    verbose_name = "Absences and makeups"

    def ready(self) -> None:
        # An explicit registry, not signals: a class's openings for a new enrollment also
        # give way to the makeups booked into its future meetings (docs/booking.md,
        # "Absences and makeups").
        from springboard.attendance import places

        places.register()

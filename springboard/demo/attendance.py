"""The demo gym takes absences and makeups online (docs/booking.md, "Absences and makeups"):
a newcomer marks a class absent from My Account or Coming Up! and books a makeup with the
credit. Idempotent: one organization-wide row."""

from springboard.attendance.models import AttendanceRules
from springboard.tenancy.models import Organization


def load_demo_attendance(organization: Organization) -> AttendanceRules:
    rules, _created = AttendanceRules.objects.get_or_create(
        organization=organization,
        program=None,
        defaults={
            "absences_online": True,
            "cutoff_hours": 2,
            "makeups_allowed": True,
            "credit_days": 30,
            "same_program": True,
        },
    )
    return rules

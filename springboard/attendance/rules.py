"""Which rules apply to a class: its program's row, else the organization's, else the
defaults (nothing online). One query per organization (`resolver`)."""

from datetime import datetime, timedelta

from springboard.attendance.models import AttendanceRules


def resolver(organization):
    """A function course → AttendanceRules, reading the organization's rows once."""
    rows = list(AttendanceRules.objects.filter(organization=organization))
    by_program = {row.program_id: row for row in rows if row.program_id}
    general = next((row for row in rows if row.program_id is None), None)
    default = general or AttendanceRules(organization=organization)

    def rules_for(course) -> AttendanceRules:
        return by_program.get(course.program_id, default)

    return rules_for


def rules_for(course) -> AttendanceRules:
    return resolver(course.organization)(course)


def cutoff(rules: AttendanceRules, starts_at: datetime) -> datetime:
    """The last moment a meeting starting at `starts_at` may be marked absent or undone."""
    return starts_at - timedelta(hours=rules.cutoff_hours)


def can_mark(rules: AttendanceRules, starts_at: datetime, now: datetime) -> bool:
    return rules.absences_online and now < cutoff(rules, starts_at)


def offered(organization) -> dict[str, bool]:
    """Whether any of the organization's rules takes absences or makeups online (one query:
    My Account shows the links only then)."""
    rows = list(
        AttendanceRules.objects.filter(organization=organization).values_list(
            "absences_online", "makeups_allowed"
        )
    )
    return {
        "absences": any(absences for absences, _makeups in rows),
        "makeups": any(absences and makeups for absences, makeups in rows),
    }

"""What the dashboard shows of a family's money and schedule (docs/family-money.md): the
outstanding notice and Coming Up!. Nothing for visitors or logins without a family here."""

from springboard.billing import balances
from springboard.portal.coming_up import coming_up


def dashboard_money(request) -> dict:
    family = getattr(request, "family", None)
    if family is None or not request.user.is_authenticated:
        return {}
    return {
        "outstanding": balances.balance(family),
        "coming_up": coming_up(family, now=request.now),
    }


def enrollments_by_student(family, *, today) -> list[dict]:
    """My Account → Enrollments: per student, current and past enrollments with their
    schedule (one query)."""
    from springboard.booking.models import Enrollment

    rows = Enrollment.objects.filter(student__family=family).select_related(
        "student", "course__term", "course__location"
    )
    from springboard.booking.models import ChangeRequest, ChangeStatus

    pending = dict(
        ChangeRequest.objects.filter(family=family, status=ChangeStatus.PENDING).values_list(
            "enrollment_id", "kind"
        )
    )
    students: dict[int, dict] = {}
    for row in sorted(rows, key=lambda r: (r.student.first_name, r.course.term.start_date)):
        row.pending_change = pending.get(row.pk, "")
        entry = students.setdefault(
            row.student_id, {"student": row.student, "current": [], "past": []}
        )
        ending = row.ends_at is not None and row.ends_at.date() > today  # a drop ahead
        current = (row.status == "active" or ending) and row.course.term.end_date >= today
        entry["current" if current else "past"].append(row)
    return list(students.values())


def changes_of(family, *, limit: int = 10) -> list:
    """My Account → Requests: the family's drops and transfers sent to staff (and their
    decision and note), newest first, in one query."""
    from springboard.booking.models import ChangeRequest, ChangeStatus

    return list(
        ChangeRequest.objects.filter(family=family)
        .exclude(status__in=[ChangeStatus.HELD, ChangeStatus.LAPSED])
        .select_related("student", "enrollment__course", "to_course")[:limit]
    )

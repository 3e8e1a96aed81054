"""Absences and makeups (docs/booking.md, "Absences and makeups").

A family marks one meeting of an enrollment absent (`Absence`); where the rules allow makeups
the absence carries a credit (`credit_expires_at`) that books one meeting of another class
(`Makeup`). Meetings are not stored (catalog.schedule computes them): a row names its meeting
by the course and its local date, and keeps the meeting's start as an aware instant so rules
and counts compare against `now` without recomputing the schedule.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.booking.models import ChangeRequest, DropApproval, Enrollment
from springboard.catalog.models import Course, Program
from springboard.families.models import Family, Student
from springboard.tenancy.models import TenantModel


class AttendanceRules(TenantModel):
    """What families may do online about a meeting they miss: one row per organization
    (program empty) and optionally one per program, which then wins. Without a row nothing
    is online (the field defaults below, unsaved)."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("program"),
        help_text=_("Leave empty for every program without rules of its own."),
    )
    absences_online = models.BooleanField(
        _("families may mark a class absent online"), default=False
    )
    cutoff_hours = models.PositiveSmallIntegerField(
        _("cut-off (hours before the class starts)"),
        default=2,
        validators=[MaxValueValidator(336)],
        help_text=_("Absences are marked or undone until this many hours before the class."),
    )
    absence_approval = models.CharField(
        _("an absence is"),
        max_length=10,
        choices=DropApproval.choices,
        default=DropApproval.AUTOMATIC,
        help_text=_("A request: staff approve it in the activity queue before it counts."),
    )
    makeups_allowed = models.BooleanField(_("an absence gives a makeup credit"), default=False)
    credit_days = models.PositiveSmallIntegerField(
        _("a makeup credit expires after (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Counted from the start of the missed class."),
    )
    makeup_approval = models.CharField(
        _("a makeup is"),
        max_length=10,
        choices=DropApproval.choices,
        default=DropApproval.AUTOMATIC,
        help_text=_("A request holds the place and the credit until staff decide."),
    )
    same_program = models.BooleanField(
        _("makeups only in classes of the same program"), default=True
    )
    max_makeups_per_term = models.PositiveSmallIntegerField(
        _("most makeups per student and term"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Empty: no limit. Counts makeups of credits from the term's classes."),
    )

    class Meta:
        verbose_name = _("absence and makeup rules")
        verbose_name_plural = _("absence and makeup rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "program"],
                name="one_attendance_rules_per_program",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(program__isnull=True),
                name="one_attendance_rules_per_organization",
            ),
        ]

    def __str__(self) -> str:
        if self.program_id:
            return str(_("Absence and makeup rules: %(program)s") % {"program": self.program})
        return str(_("Absence and makeup rules"))


class AbsenceStatus(models.TextChoices):
    ABSENT = "absent", _("Absent")
    REQUESTED = "requested", _("Waiting for approval")
    DENIED = "denied", _("Not approved")
    UNDONE = "undone", _("Undone")


# An absence asked for or counted: one per enrollment and meeting. Only ABSENT frees the
# place and carries a usable credit; a requested one waits for staff.
MARKED = [AbsenceStatus.ABSENT, AbsenceStatus.REQUESTED]


class Absence(TenantModel):
    """A meeting of an enrollment the student will miss; its place is free for a makeup."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="absences")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="absences")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="absences")
    date = models.DateField(_("class date"))
    starts_at = models.DateTimeField(_("class starts"))
    status = models.CharField(
        _("status"), max_length=10, choices=AbsenceStatus.choices, default="absent"
    )
    marked_at = models.DateTimeField(_("marked"))
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    credit_expires_at = models.DateTimeField(
        _("makeup credit expires"),
        null=True,
        blank=True,
        help_text=_("Empty: no makeup credit (makeups were not allowed)."),
    )
    request = models.OneToOneField(
        ChangeRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="absence",
        verbose_name=_("request"),
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("absence")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "date"],
                condition=models.Q(status__in=["absent", "requested"]),
                name="one_absence_per_enrollment_and_date",
            )
        ]
        indexes = [models.Index(fields=["course", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.course} · {self.date}"


class MakeupStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    REQUESTED = "requested", _("Waiting for approval")
    DENIED = "denied", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


# A makeup holding its place at the meeting and its credit: booked, or asked for and
# waiting for staff (as a pending transfer holds its seat).
HOLDING = [MakeupStatus.BOOKED, MakeupStatus.REQUESTED]


class Makeup(TenantModel):
    """One meeting of a class booked with an absence's credit."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="makeups")
    absence = models.ForeignKey(Absence, on_delete=models.PROTECT, related_name="makeups")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="makeups")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="makeups")
    date = models.DateField(_("class date"))
    starts_at = models.DateTimeField(_("class starts"))
    status = models.CharField(
        _("status"), max_length=10, choices=MakeupStatus.choices, default="booked"
    )
    booked_at = models.DateTimeField(_("booked"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    request = models.OneToOneField(
        ChangeRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="makeup",
        verbose_name=_("request"),
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("makeup")
        constraints = [
            models.UniqueConstraint(
                fields=["absence"],
                condition=models.Q(status__in=["booked", "requested"]),
                name="one_makeup_per_credit",
            ),
            models.UniqueConstraint(
                fields=["student", "course", "date"],
                condition=models.Q(status__in=["booked", "requested"]),
                name="one_makeup_per_student_and_meeting",
            ),
        ]
        indexes = [models.Index(fields=["course", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.course} · {self.date}"

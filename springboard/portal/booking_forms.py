"""Forms of the booking pages: the class filters and Find the Right Class's student details.

Filters are plain GET forms: an invalid value (?day=9, ?age=abc, a 10 kB search) is left out
of `filters()` and explained beside the results, never an error page.
"""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from springboard.catalog.models import WEEKDAY_NAMES
from springboard.tenancy.models import ClassFilter

SEARCH_MAX_LENGTH = 100

TIME_OF_DAY_CHOICES = [
    ("", _("Any time")),
    ("morning", _("Morning (before noon)")),
    ("afternoon", _("Afternoon (noon–5pm)")),
    ("evening", _("Evening (5pm on)")),
]
GENDER_CHOICES = [("", _("Any")), ("girls", _("Girls")), ("boys", _("Boys"))]
STUDENT_GENDER_CHOICES = [("female", _("Female")), ("male", _("Male")), ("other", _("Another"))]


def bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


class ClassFilterForm(forms.Form):
    """The filters staff switched on (PortalSettings.class_filters), in that set only."""

    program = forms.TypedChoiceField(label=_("Program"), coerce=int, required=False)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, required=False)
    day = forms.TypedChoiceField(
        label=_("Day"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Any day"))] + [(str(n), name) for n, name in enumerate(WEEKDAY_NAMES)],
    )
    time_of_day = forms.ChoiceField(
        label=_("Time of day"), choices=TIME_OF_DAY_CHOICES, required=False
    )
    age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=99, required=False)
    gender = forms.ChoiceField(label=_("For"), choices=GENDER_CHOICES, required=False)
    instructor = forms.TypedChoiceField(label=_("Instructor"), coerce=int, required=False)
    openings = forms.BooleanField(label=_("Only classes with openings"), required=False)
    q = forms.CharField(label=_("Search"), max_length=SEARCH_MAX_LENGTH, required=False, strip=True)

    FIELD_FOR_FILTER = {
        ClassFilter.PROGRAM: "program",
        ClassFilter.LEVEL: "level",
        ClassFilter.DAY: "day",
        ClassFilter.TIME_OF_DAY: "time_of_day",
        ClassFilter.AGE: "age",
        ClassFilter.GENDER: "gender",
        ClassFilter.INSTRUCTOR: "instructor",
        ClassFilter.OPENINGS: "openings",
        ClassFilter.SEARCH: "q",
    }

    def __init__(self, data, *, enabled, choices=None, for_student=False, **kwargs):
        """`choices`: {"program"|"level"|"instructor": [(id, name), ...]}; a dropdown with
        nothing to choose is left out."""
        super().__init__(data, **kwargs)
        enabled = set(enabled)
        if for_student:  # the student's own age and gender already decide these
            enabled -= {ClassFilter.AGE, ClassFilter.GENDER}
        for filter_name, field_name in self.FIELD_FOR_FILTER.items():
            if filter_name not in enabled:
                del self.fields[field_name]
        choices = choices or {}
        for name, empty in [
            ("program", _("All programs")),
            ("level", _("All levels")),
            ("instructor", _("Any instructor")),
        ]:
            if name in self.fields:
                rows = choices.get(name) or []
                if not rows:
                    del self.fields[name]
                    continue
                self.fields[name].choices = [("", empty)] + [(str(pk), n) for pk, n in rows]
        if "q" in self.fields:
            self.fields["q"].widget.input_type = "search"
        bootstrap(self)

    def filters(self) -> dict:
        """The valid filter values; invalid ones are dropped (see `ignored`)."""
        self.is_valid()
        # Not `v not in (None, "", False)`: 0 == False, and Monday (0) and age 0 are filters.
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if v is not None and v != "" and v is not False
        }

    def ignored(self) -> list[str]:
        """Why a filter was ignored, for a note beside the results."""
        self.is_valid()
        notes = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            notes.append(f"{label}: {' '.join(errors)}")
        return notes


class StudentDetailsForm(forms.Form):
    """Find the Right Class, not logged in: who the class is for."""

    first_name = forms.CharField(label=_("First name (optional)"), max_length=60, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    student_gender = forms.ChoiceField(label=_("Gender"), choices=STUDENT_GENDER_CHOICES)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        bootstrap(self)

    def clean_birth_date(self) -> date:
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > self.today:
            raise forms.ValidationError(_("The birth date is in the future."))
        if birth_date.year < 1900:
            raise forms.ValidationError(_("Enter a birth date after 1900."))
        return birth_date

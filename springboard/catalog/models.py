"""The catalogue staff describe in the admin: programs, levels, terms, closures, courses,
events (camps and clinics) and party packages with their time slots.

Words as in spec/PORTAL.md: the UI says "class", the code says course. Meeting dates are not
stored; `springboard.catalog.schedule` computes them from weekdays, term and closures.
Openings are not stored either; `springboard.catalog.availability` computes them.
"""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.content.models import StaffProfile
from springboard.core.images import ResizedImageField
from springboard.tenancy.models import Location, TenantModel

MONEY = {"max_digits": 12, "decimal_places": 2}
WEEKDAY_FIELDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_ABBREVIATIONS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class Gender(models.TextChoices):
    """Who a course or event is for. A student of another gender qualifies for ANY only."""

    ANY = "any", _("Any")
    GIRLS = "girls", _("Girls")
    BOYS = "boys", _("Boys")


class TuitionPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    TERM = "term", _("per term")


def format_age(years: int, months: int) -> str:
    if months == 0:
        return str(years)
    if years == 0:
        return f"{months}m"
    return f"{years}y {months}m"


class AgeRange(models.Model):
    """Ages as min/max years + months, both ends inclusive in whole months of age.

    "Ages 5-7" is 5y 0m up to 7y 11m (max months 11: through the last month of age 7).
    """

    min_age_years = models.PositiveSmallIntegerField(
        _("minimum age (years)"), default=0, validators=[MaxValueValidator(99)]
    )
    min_age_months = models.PositiveSmallIntegerField(
        _("and months"), default=0, validators=[MaxValueValidator(11)]
    )
    max_age_years = models.PositiveSmallIntegerField(
        _("maximum age (years)"), default=99, validators=[MaxValueValidator(99)]
    )
    max_age_months = models.PositiveSmallIntegerField(
        _("and months"),
        default=11,
        validators=[MaxValueValidator(11)],
        help_text=_("11 means “through the last month of that year of age”."),
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default="any")

    class Meta:
        abstract = True

    @property
    def min_age_in_months(self) -> int:
        return self.min_age_years * 12 + self.min_age_months

    @property
    def max_age_in_months(self) -> int:
        return self.max_age_years * 12 + self.max_age_months

    @property
    def ages_label(self) -> str:
        low = format_age(self.min_age_years, self.min_age_months)
        if self.max_age_years >= 99:
            return str(_("Ages %(low)s and up") % {"low": low})
        if self.max_age_months == 11:
            high = str(self.max_age_years)
        else:
            high = format_age(self.max_age_years, self.max_age_months)
        return str(_("Ages %(low)s-%(high)s") % {"low": low, "high": high})

    def clean(self) -> None:
        if self.max_age_in_months < self.min_age_in_months:
            raise ValidationError({"max_age_years": _("The maximum age is below the minimum.")})


class Program(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("program")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Level(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("level")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="level_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Term(TenantModel):
    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. Winter 2027"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    enrollment_opens_at = models.DateTimeField(_("enrollment opens"))
    enrollment_closes_at = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
    shown_on_web = models.BooleanField(_("shown on the web"), default=True)

    class Meta:
        ordering = ["start_date", "name", "id"]
        verbose_name = _("term")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="term_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day is before the first day.")})
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            raise ValidationError(
                {"enrollment_closes_at": _("Enrollment must close after it opens.")}
            )

    def enrollment_is_open(self, now) -> bool:
        if now < self.enrollment_opens_at:
            return False
        return self.enrollment_closes_at is None or now < self.enrollment_closes_at


class Closure(TenantModel):
    """Days without meetings (holidays): for every location, or one."""

    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. Spring break"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("location"),
        help_text=_("Leave empty when every location is closed."),
    )

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("closure")

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date} – {self.end_date})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day is before the first day.")})

    def covers(self, day: date, location_id: int | None) -> bool:
        if self.location_id is not None and self.location_id != location_id:
            return False
        return self.start_date <= day <= self.end_date


class Course(TenantModel, AgeRange):
    """One weekly class of a term (the UI says "class")."""

    program = models.ForeignKey(Program, on_delete=models.RESTRICT, verbose_name=_("program"))
    term = models.ForeignKey(Term, on_delete=models.RESTRICT, verbose_name=_("term"))
    location = models.ForeignKey(Location, on_delete=models.RESTRICT, verbose_name=_("location"))
    room = models.CharField(_("room"), max_length=80, blank=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    monday = models.BooleanField(_("Monday"), default=False)
    tuesday = models.BooleanField(_("Tuesday"), default=False)
    wednesday = models.BooleanField(_("Wednesday"), default=False)
    thursday = models.BooleanField(_("Thursday"), default=False)
    friday = models.BooleanField(_("Friday"), default=False)
    saturday = models.BooleanField(_("Saturday"), default=False)
    sunday = models.BooleanField(_("Sunday"), default=False)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    level = models.ForeignKey(
        Level, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("level")
    )
    instructors = models.ManyToManyField(
        StaffProfile, blank=True, related_name="courses", verbose_name=_("instructors")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=8)
    tuition = models.DecimalField(_("tuition"), **MONEY, default=0)
    tuition_period = models.CharField(
        _("tuition is"), max_length=10, choices=TuitionPeriod.choices, default="month"
    )
    waitlist_allowed = models.BooleanField(_("waitlist when full"), default=True)
    shown_on_web = models.BooleanField(_("shown on the web"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("course (class)")
        verbose_name_plural = _("courses (classes)")
        indexes = [models.Index(fields=["organization", "term", "location"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.weekdays:
            raise ValidationError(_("Choose at least one weekday."))
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The class must end after it starts.")})

    @property
    def weekdays(self) -> list[int]:
        """Monday = 0 … Sunday = 6, as date.weekday() counts."""
        return [number for number, name in enumerate(WEEKDAY_FIELDS) if getattr(self, name)]

    @property
    def days_label(self) -> str:
        return ", ".join(str(WEEKDAY_ABBREVIATIONS[number]) for number in self.weekdays)

    @property
    def times_label(self) -> str:
        return f"{format_time(self.start_time)}–{format_time(self.end_time)}"


def format_time(value: time) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}"


class EventKind(models.TextChoices):
    CAMP = "camp", _("Camp")
    CLINIC = "clinic", _("Clinic")
    OPEN_GYM = "open_gym", _("Open gym")


class Event(TenantModel, AgeRange):
    """A camp, clinic or open gym on given days, booked per day or whole."""

    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices, default="camp")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    location = models.ForeignKey(Location, on_delete=models.RESTRICT, verbose_name=_("location"))
    room = models.CharField(_("room"), max_length=80, blank=True)
    capacity_per_day = models.PositiveSmallIntegerField(_("capacity per day"), default=20)
    price_per_day = models.DecimalField(_("price per day"), **MONEY, null=True, blank=True)
    price_whole_event = models.DecimalField(
        _("price for the whole event"), **MONEY, null=True, blank=True
    )
    deposit = models.DecimalField(
        _("deposit"),
        **MONEY,
        default=0,
        help_text=_("0: paid in full at checkout. Else paid at checkout, the rest due before."),
    )
    single_days_bookable = models.BooleanField(_("single days may be booked"), default=True)
    shown_on_web = models.BooleanField(_("shown on the web"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("event (camp)")
        verbose_name_plural = _("events (camps)")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.price_per_day is None and self.price_whole_event is None:
            raise ValidationError(_("Give a price per day, for the whole event, or both."))
        if self.deposit is not None and self.deposit < 0:
            raise ValidationError({"deposit": _("A deposit cannot be negative.")})
        if self.single_days_bookable and self.price_per_day is None:
            raise ValidationError({"price_per_day": _("Single days need a price per day.")})


class EventDay(models.Model):
    """One day of an event (scoped through its event's organization)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = _("event day")
        constraints = [
            models.UniqueConstraint(fields=["event", "date"], name="one_event_day_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%a %d %b %Y}"

    @property
    def times_label(self) -> str:
        return f"{format_time(self.start_time)}–{format_time(self.end_time)}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The day must end after it starts.")})


class PartyPackage(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    image = ResizedImageField(_("image"), upload_to="parties/", blank=True, max_dimension=1200)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    price = models.DecimalField(_("price"), **MONEY)
    guests_included = models.PositiveSmallIntegerField(_("guests included"), default=10)
    max_guests = models.PositiveSmallIntegerField(_("maximum guests"), default=20)
    price_per_extra_guest = models.DecimalField(_("price per extra guest"), **MONEY, default=0)
    deposit = models.DecimalField(_("deposit"), **MONEY, default=0)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    shown_on_web = models.BooleanField(_("shown on the web"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("party package")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="party_package_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.max_guests < self.guests_included:
            raise ValidationError({"max_guests": _("Fewer than the guests included.")})
        if self.price is not None and self.deposit is not None and self.deposit > self.price:
            raise ValidationError({"deposit": _("The deposit is more than the price.")})


class PartyAddOn(models.Model):
    """An extra for a party package (pizza, goody bags); scoped through its package."""

    package = models.ForeignKey(PartyPackage, on_delete=models.CASCADE, related_name="add_ons")
    name = models.CharField(_("name"), max_length=120)
    price = models.DecimalField(_("price"), **MONEY)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party add-on")

    def __str__(self) -> str:
        return self.name


class PartySlot(TenantModel):
    location = models.ForeignKey(Location, on_delete=models.RESTRICT, verbose_name=_("location"))
    room = models.CharField(_("room"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    packages = models.ManyToManyField(
        PartyPackage, related_name="slots", verbose_name=_("packages offered")
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("party slot")
        indexes = [models.Index(fields=["organization", "location", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The slot must end after it starts.")})

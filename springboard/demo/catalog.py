"""The demo catalogue: two terms (the current one and the next, whose registration opened
yesterday) with 60 classes each at two locations, three camps and two party packages with
slots on the next six weekends; Riverside gets a smaller swim schedule. Every date comes from
`springboard.demo.dates.demo_calendar` (the day the demo is loaded, in each location's zone).

Idempotent like the rest of the demo: rows are found by natural keys and only missing ones are
created (courses in one bulk_create). Openings are computed from enrollments
(`demo/enrollments.py` fills some classes and leaves others one opening); two waitlist-only
classes per term have capacity 0.
"""

import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from springboard.catalog.cached import catalogue_changed
from springboard.catalog.models import (
    WEEKDAY_FIELDS,
    Closure,
    Course,
    Event,
    EventDay,
    Level,
    PartyAddOn,
    PartyPackage,
    PartySlot,
    Program,
    Term,
)
from springboard.content.models import StaffProfile
from springboard.demo import images
from springboard.demo.dates import DemoCalendar, TermDates, demo_calendar
from springboard.tenancy.models import Location, Organization

GYMNASTICS, SWIM, NINJA = "Recreational Gymnastics", "Swim Lessons", "Ninja"
LEVELS = ["Beginner", "Intermediate", "Advanced"]

# name, program, (min years, min months), (max years, max months), gender, level, minutes
CLASS_TYPES = {
    GYMNASTICS: [
        ("Parent & Tot Gym", (1, 6), (2, 11), "any", None, 45),
        ("Tumble Tots", (3, 0), (4, 11), "any", "Beginner", 45),
        ("Girls Gymnastics Beginner", (5, 0), (7, 11), "girls", "Beginner", 60),
        ("Boys Gymnastics Beginner", (5, 0), (8, 11), "boys", "Beginner", 60),
        ("Girls Gymnastics Intermediate", (7, 0), (12, 11), "girls", "Intermediate", 60),
        ("Gymnastics Advanced", (9, 0), (17, 11), "any", "Advanced", 90),
    ],
    SWIM: [
        ("Parent & Baby Swim", (0, 6), (2, 11), "any", None, 30),
        ("Swim Starters", (3, 0), (5, 11), "any", "Beginner", 30),
        ("Swim Level 1", (5, 0), (7, 11), "any", "Beginner", 45),
        ("Swim Level 2", (6, 0), (9, 11), "any", "Intermediate", 45),
        ("Swim Level 3", (8, 0), (12, 11), "any", "Advanced", 45),
        ("Stroke Clinic", (10, 0), (17, 11), "any", "Advanced", 60),
    ],
    NINJA: [
        ("Mini Ninjas", (4, 0), (5, 11), "any", "Beginner", 45),
        ("Ninja Warriors", (6, 0), (9, 11), "any", "Intermediate", 60),
        ("Ninja Elite", (10, 0), (14, 11), "any", "Advanced", 60),
    ],
}
COACHES = {GYMNASTICS: "Maria Alvarez", SWIM: "Jordan Lee", NINJA: "Priya Patel"}
TUITION = {GYMNASTICS: Decimal("89.00"), SWIM: Decimal("76.00"), NINJA: Decimal("95.00")}
WEEKDAY_TIMES = [time(16, 0), time(16, 45), time(17, 30), time(18, 15), time(19, 0)]
SATURDAY_TIMES = [time(9, 0), time(9, 45), time(10, 30), time(11, 15), time(12, 0)]
PROGRAMS_AT = {"Main Street": [GYMNASTICS, SWIM], "Northside": [NINJA, SWIM, GYMNASTICS]}


def _get(model, organization, **lookup_and_defaults):
    defaults = lookup_and_defaults.pop("defaults", {})
    row, _created = model.objects.get_or_create(
        organization=organization, **lookup_and_defaults, defaults=defaults
    )
    return row


def _term(organization, dates: TermDates) -> Term:
    return _get(
        Term,
        organization,
        name=dates.name,
        defaults={
            "start_date": dates.start,
            "end_date": dates.end,
            "enrollment_opens_at": dates.opens_at,
            "enrollment_closes_at": dates.closes_at,
        },
    )


def _courses(organization, term, location, plan, programs, levels, coaches) -> None:
    """Create the missing courses of a plan [(weekday, start, type, program, capacity)]."""
    existing = set(
        Course.objects.filter(term=term, location=location).values_list("name", "start_time")
    )
    new, teachers = [], []
    for weekday, start, kind, program_name, capacity in plan:
        name, low, high, gender, level, minutes = kind
        day_name = WEEKDAY_FIELDS[weekday].capitalize()
        full_name = f"{name} ({day_name[:3]})"
        if (full_name, start) in existing:
            continue
        end = (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)).time()
        new.append(
            Course(
                organization=organization,
                program=programs[program_name],
                term=term,
                location=location,
                room="Pool" if program_name == SWIM else f"{program_name} floor",
                name=full_name,
                start_time=start,
                end_time=end,
                min_age_years=low[0],
                min_age_months=low[1],
                max_age_years=high[0],
                max_age_months=high[1],
                gender=gender,
                level=levels.get(level),
                capacity=capacity,
                tuition=TUITION[program_name],
                waitlist_allowed=True,
                **{WEEKDAY_FIELDS[weekday]: True},
            )
        )
        teachers.append(coaches.get(COACHES[program_name]))
    created = Course.objects.bulk_create(new)
    through = Course.instructors.through
    through.objects.bulk_create(
        [
            through(course_id=course.pk, staffprofile_id=teacher.pk)
            for course, teacher in zip(created, teachers, strict=True)
            if teacher is not None
        ]
    )
    catalogue_changed(organization.pk)  # bulk_create sends no post_save (catalog.cached)


def _capacity(index: int) -> int:
    if index in (7, 41):
        return 0  # waitlist only
    if index % 9 == 4:
        return 2  # nearly full
    return 6 + index % 5


def load_demo_catalog(organization: Organization, *, now: datetime) -> None:
    calendar = demo_calendar(now, organization.time_zone)
    programs = {
        name: _get(Program, organization, name=name, defaults={"position": i})
        for i, name in enumerate([GYMNASTICS, SWIM, NINJA])
    }
    levels = {
        name: _get(Level, organization, name=name, defaults={"position": i})
        for i, name in enumerate(LEVELS)
    }
    first, last = calendar.break_week
    _get(
        Closure,
        organization,
        name="Break week",
        defaults={"start_date": first, "end_date": last},
    )
    _get(
        Closure,
        organization,
        name="Staff training day",
        defaults={"start_date": calendar.training_day, "end_date": calendar.training_day},
    )
    coaches = {p.name: p for p in StaffProfile.objects.for_organization(organization)}
    for dates in (calendar.current_term, calendar.next_term):
        term = _term(organization, dates)
        index = 0
        for location_name, program_names in PROGRAMS_AT.items():
            location = Location.objects.get(organization=organization, name=location_name)
            plan = []
            for weekday in range(6):
                times = SATURDAY_TIMES if weekday == 5 else WEEKDAY_TIMES
                for slot, start in enumerate(times):
                    program_name = program_names[(weekday + slot) % len(program_names)]
                    kinds = CLASS_TYPES[program_name]
                    kind = kinds[(weekday * 2 + slot) % len(kinds)]
                    plan.append((weekday, start, kind, program_name, _capacity(index)))
                    index += 1
            _courses(organization, term, location, plan, programs, levels, coaches)
    _demo_events(organization, now=now)
    _demo_parties(organization, now=now)


def _event(organization, location, name, days, **fields) -> None:
    event = Event.objects.filter(organization=organization, name=name).first()
    if event is None:
        event = Event.objects.create(
            organization=organization, location=location, name=name, **fields
        )
    for day, start, end in days:
        EventDay.objects.get_or_create(
            event=event, date=day, defaults={"start_time": start, "end_time": end}
        )


SCHOOLS_OUT_CAMP = "School's Out Camp"
NINJA_CLINIC = "Ninja Clinic"
BREAK_WEEK_CAMP = "Break Week Camp"


def _location_calendar(organization, name: str, now: datetime) -> tuple[Location, DemoCalendar]:
    location = Location.objects.get(organization=organization, name=name)
    return location, demo_calendar(now, location.time_zone)


def _demo_events(organization, *, now: datetime) -> None:
    main, main_dates = _location_calendar(organization, "Main Street", now)
    northside, northside_dates = _location_calendar(organization, "Northside", now)
    nine, three = time(9), time(15)
    _event(
        organization,
        main,
        SCHOOLS_OUT_CAMP,
        [(day, nine, three) for day in main_dates.camp_days],
        description="Games, crafts and tumbling while school is out. Bring a lunch.",
        min_age_years=5,
        max_age_years=12,
        capacity_per_day=24,
        price_per_day=Decimal("55.00"),
        price_whole_event=Decimal("150.00"),
        single_days_bookable=True,
    )
    _event(
        organization,
        northside,
        NINJA_CLINIC,
        [(northside_dates.clinic_day, time(10), time(12))],
        kind="clinic",
        min_age_years=6,
        max_age_years=14,
        capacity_per_day=12,
        price_whole_event=Decimal("45.00"),
        single_days_bookable=False,
    )
    _event(
        organization,
        main,
        BREAK_WEEK_CAMP,
        [(day, nine, three) for day in main_dates.break_camp_days],
        description="A week of gymnastics, swimming and games while classes take a break.",
        min_age_years=5,
        max_age_years=12,
        capacity_per_day=30,
        price_per_day=Decimal("60.00"),
        price_whole_event=Decimal("260.00"),
        single_days_bookable=True,
    )


PACKAGES = [
    ("Gym Party", "#0f766e", "250.00", 12, 20, "12.00", "75.00", 90),
    ("Pool Party", "#1d4ed8", "300.00", 10, 16, "15.00", "100.00", 120),
]
ADD_ONS = [("Pizza for 10", "45.00"), ("Goody bags (each)", "6.00"), ("Party T-shirt", "18.00")]


def _demo_parties(organization, *, now: datetime) -> None:
    packages = []
    for index, (name, color, price, included, most, extra, deposit, minutes) in enumerate(PACKAGES):
        package = PartyPackage.objects.filter(organization=organization, name=name).first()
        if package is None:
            package = PartyPackage(
                organization=organization,
                name=name,
                description="Two hours of fun with a coach, then cake in the party room.",
                price=Decimal(price),
                guests_included=included,
                max_guests=most,
                price_per_extra_guest=Decimal(extra),
                deposit=Decimal(deposit),
                duration_minutes=minutes,
                position=index,
                image_alt="",
            )
            package.image.save(
                f"demo-party-{index + 1}.jpg",
                images.background(f"demo-party-{index + 1}.jpg", color, "#fbbf24", seed=20 + index),
                save=False,
            )
            package.save()
            PartyAddOn.objects.bulk_create(
                [PartyAddOn(package=package, name=n, price=Decimal(p)) for n, p in ADD_ONS]
            )
        packages.append(package)
    main, dates = _location_calendar(organization, "Main Street", now)
    zone = zoneinfo.ZoneInfo(main.time_zone)
    for day in dates.party_days:
        starts = [time(17, 0)] if day.weekday() == 4 else [time(12), time(14), time(16)]
        for start in starts:
            starts_at = datetime.combine(day, start, tzinfo=zone)
            slot, created = PartySlot.objects.get_or_create(
                organization=organization,
                location=main,
                starts_at=starts_at,
                defaults={"ends_at": starts_at + timedelta(hours=2), "room": "Party room"},
            )
            if created:
                slot.packages.set(packages)


RIVERSIDE_SWIM = [
    ("Parent & Baby Swim", (0, 6), (2, 11), "any", None, 30),
    ("Swim Starters", (3, 0), (5, 11), "any", "Beginner", 30),
    ("Swim Level 1", (5, 0), (7, 11), "any", "Beginner", 45),
    ("Swim Level 2", (6, 0), (9, 11), "any", "Intermediate", 45),
    ("Swim Level 3", (8, 0), (12, 11), "any", "Advanced", 45),
]


def load_riverside_catalog(organization: Organization, *, now: datetime) -> None:
    calendar = demo_calendar(now, organization.time_zone)
    programs = {SWIM: _get(Program, organization, name=SWIM)}
    levels = {
        name: _get(Level, organization, name=name, defaults={"position": i})
        for i, name in enumerate(LEVELS)
    }
    term = _term(organization, calendar.current_term)
    location = Location.objects.get(organization=organization, name="Riverside Aquatic Center")
    plan = []
    for weekday, times in [
        (1, [time(16), time(17)]),
        (3, [time(16), time(17)]),
        (5, SATURDAY_TIMES[:4]),
    ]:
        for slot, start in enumerate(times):
            plan.append((weekday, start, RIVERSIDE_SWIM[(weekday + slot) % 5], SWIM, 6))
    _courses(organization, term, location, plan, programs, levels, {})

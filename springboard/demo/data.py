"""The demo gym, described once, loaded by `manage.py load_demo` (idempotent).

Every date is relative to the `now` the command passes in (`springboard.demo.dates`). A second
run the same day creates, changes and duplicates nothing: rows are found by their natural
keys, and images are drawn and saved only when their row is created. A run on a later day
starts from an empty database instead (`springboard.demo.reset`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from springboard.content.models import NewsItem, StaffProfile
from springboard.demo import images
from springboard.demo.catalog import SCHOOLS_OUT_CAMP, load_demo_catalog, load_riverside_catalog
from springboard.demo.dates import DemoCalendar, day_range, demo_calendar, month_day
from springboard.tenancy.models import Location, Organization, StaffMembership, StaffRole


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    what: str


SUPERUSER = Login("admin@springboard.example", "springboard-admin-2026", "superuser (all)")
DEMO_OWNER = Login("owner@demo.example", "demo-owner-2026", "owner of demo")
DEMO_STAFF = Login("coach@demo.example", "demo-coach-2026", "staff of demo")
RIVERSIDE_OWNER = Login("owner@riverside.example", "riverside-owner-2026", "owner of riverside")
STAFF_LOGINS = [SUPERUSER, DEMO_OWNER, DEMO_STAFF, RIVERSIDE_OWNER]

WELCOME_HTML = """
<p>We're so glad you're here! Registration for the <strong>{term}</strong> term is open.</p>
<ul>
  <li>New families: create an account, add your students, then pick a class.</li>
  <li>Not sure which level? Use <strong>Find the Right Class</strong>.</li>
  <li>Questions? Call the front desk or stop by any time we're open.</li>
</ul>
"""


def news(calendar: DemoCalendar) -> list[tuple[str, bool, str, str, str, str]]:
    """(title, on the splash page, gradient start, gradient end, summary, body), newest
    first, every date in them taken from the demo's calendar."""
    following = calendar.next_term
    camp = calendar.camp_days
    closed_from, closed_until = calendar.break_week
    return [
        (
            f"{following.name} registration is open",
            True,
            "#0f766e",
            "#1e3a8a",
            f"Classes start {month_day(following.start)}. Reserve your spot before classes "
            "fill up!",
            "<p>Recreational gymnastics, swim lessons and ninja classes for ages 18 months to "
            "17 years. Popular classes fill on the first night: join the waitlist and we "
            "email you when a place opens.</p>",
        ),
        (
            f"{SCHOOLS_OUT_CAMP}: {day_range(camp[0], camp[-1])}",
            True,
            "#b91c1c",
            "#7c2d12",
            "Three days of games, crafts and tumbling while school is out.",
            "<p>Book the whole camp or single days. Ages 5 to 12. Bring a lunch and a water "
            "bottle; we provide snacks.</p>",
        ),
        (
            "New: Ninja Warrior classes",
            True,
            "#4338ca",
            "#0f172a",
            "Climb, swing and run our brand-new obstacle course.",
            "<p>Our ninja zone opens at the Northside location with classes for ages 6 to 14.</p>",
        ),
        (
            "Parents' viewing area update",
            False,
            "#334155",
            "#0f766e",
            "The viewing area at Main Street now has live video of every floor.",
            "<p>Please keep the hallway clear during class changes.</p>",
        ),
        (
            "Closed for break week",
            False,
            "#92400e",
            "#1f2937",
            f"No classes {month_day(closed_from)} through {month_day(closed_until)}.",
            "<p>Missed classes can be made up in any class with openings. Our Break Week Camp "
            "runs Monday to Friday.</p>",
        ),
    ]


STAFF = [
    ("Maria Alvarez", "Owner & Head Coach", "USA Gymnastics certified, coaching since 2008."),
    ("Jordan Lee", "Swim Director", "Former college swimmer; teaches our youngest swimmers."),
    ("Priya Patel", "Ninja Coach", "Parkour athlete who loves a good obstacle course."),
    ("Sam Okafor", "Front Desk Manager", "The voice on the phone and the smile at the desk."),
]


def _login(login: Login, **fields):
    User = get_user_model()
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(login.email, login.password, **fields)
    return user


def _membership(user, organization, role) -> None:
    StaffMembership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )


def _organization(account_name: str, **fields) -> tuple[Organization, bool]:
    organization = Organization.objects.filter(account_name=account_name).first()
    if organization is not None:
        return organization, False
    logo = fields.pop("logo", None)
    organization = Organization(account_name=account_name, **fields)
    if logo is not None:
        organization.logo.save(logo.name, logo, save=False)
    organization.save()
    return organization, True


def _location(organization, name, **fields) -> Location:
    location, _ = Location.objects.get_or_create(
        organization=organization, name=name, defaults=fields
    )
    return location


def load_demo_gym(*, now: datetime) -> Organization:
    organization, created = _organization(
        "demo",
        name="Springboard Gymnastics & Swim",
        brand_color="#0f766e",
        accent_color="#fbbf24",
        time_zone="America/Chicago",
        currency="USD",
        website_url="https://example.com/",
        ios_app_url="https://example.com/ios",
        android_app_url="https://example.com/android",
        logo=images.logo("demo-logo.png", "#0f766e", "Springboard Gym"),
    )
    if created:
        settings = organization.portal_settings
        settings.proshop_enabled = settings.egift_cards_enabled = True
        settings.welcome_enabled = settings.staff_page_enabled = True
        settings.find_right_class_enabled = settings.live_enabled = True
        settings.live_stream_url = "https://example.com/live/demo.m3u8"
        settings.welcome_title = "Welcome to Springboard Gymnastics & Swim!"
        calendar = demo_calendar(now, organization.time_zone)
        settings.welcome_html = WELCOME_HTML.format(term=calendar.next_term.name)
        settings.staff_page_title = "Meet Our Coaches"
        settings.staff_page_html = "<p>Every coach is background-checked and CPR certified.</p>"
        settings.save()
    _location(
        organization,
        "Main Street",
        address_line1="1200 Main Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        phone="(217) 555-0140",
        email="main@demo.example",
        time_zone="America/Chicago",
        position=0,
        hours="Mon–Fri 3:00pm–8:30pm\nSat 8:00am–2:00pm\nSun closed",
    )
    _location(
        organization,
        "Northside",
        address_line1="88 Prairie Road",
        city="Springfield",
        region="IL",
        postal_code="62702",
        phone="(217) 555-0199",
        email="northside@demo.example",
        time_zone="America/Chicago",
        position=1,
        hours="Mon–Thu 4:00pm–8:00pm\nSat 9:00am–1:00pm",
    )
    calendar = demo_calendar(now, organization.time_zone)
    for index, (title, splash, start, end, summary, body) in enumerate(news(calendar)):
        if NewsItem.objects.filter(organization=organization, title=title).exists():
            continue
        item = NewsItem(
            organization=organization,
            title=title,
            summary=summary,
            body_html=body,
            show_on_splash=splash,
            published_at=now - timedelta(days=index + 1),
            image_alt="",
        )
        item.image.save(
            f"demo-news-{index + 1}.jpg",
            images.background(f"demo-news-{index + 1}.jpg", start, end, seed=index),
            save=False,
        )
        item.save()
    colors = ["#0f766e", "#1d4ed8", "#7c3aed", "#b45309"]
    for index, (name, title, bio) in enumerate(STAFF):
        if StaffProfile.objects.filter(organization=organization, name=name).exists():
            continue
        initials = "".join(part[0] for part in name.split())
        profile = StaffProfile(
            organization=organization, name=name, title=title, bio=bio, position=index
        )
        profile.photo.save(
            f"demo-staff-{index + 1}.png",
            images.portrait(f"demo-staff-{index + 1}.png", colors[index], initials),
            save=False,
        )
        profile.save()
    return organization


def load_riverside(*, now: datetime) -> Organization:
    organization, created = _organization(
        "riverside",
        name="Riverside Swim School",
        brand_color="#1e40af",
        accent_color="#facc15",
        time_zone="America/New_York",
        currency="USD",
    )
    if created:
        settings = organization.portal_settings
        settings.proshop_enabled = False
        settings.egift_cards_enabled = True
        settings.welcome_enabled = False
        settings.save()
    _location(
        organization,
        "Riverside Aquatic Center",
        address_line1="5 River Walk",
        city="Riverton",
        region="NJ",
        postal_code="08077",
        phone="(856) 555-0123",
        email="swim@riverside.example",
        time_zone="America/New_York",
        hours="Mon–Fri 3:30pm–8:00pm\nSat–Sun 9:00am–12:00pm",
    )
    if not NewsItem.objects.filter(organization=organization).exists():
        term = demo_calendar(now, organization.time_zone).current_term
        item = NewsItem(
            organization=organization,
            title=f"{term.name} swim lessons",
            summary="Lessons for every age, from parent-and-tot to stroke clinic.",
            body_html="<p>Small classes, warm pool, certified instructors.</p>",
            show_on_splash=True,
            published_at=now - timedelta(days=2),
        )
        item.image.save(
            "riverside-news-1.jpg",
            images.background("riverside-news-1.jpg", "#1e40af", "#0e7490", seed=99),
            save=False,
        )
        item.save()
    return organization


@transaction.atomic
def load(*, now: datetime) -> dict[str, Organization]:
    """Load (or complete) the demo with every date relative to `now`, the moment the caller
    read the clock (`load_demo` does, once)."""
    demo = load_demo_gym(now=now)
    riverside = load_riverside(now=now)
    _login(SUPERUSER, is_staff=True, is_superuser=True, first_name="Site", last_name="Admin")
    _membership(
        _login(DEMO_OWNER, is_staff=True, first_name="Maria", last_name="Alvarez"),
        demo,
        StaffRole.OWNER,
    )
    _membership(
        _login(DEMO_STAFF, is_staff=True, first_name="Jordan", last_name="Lee"),
        demo,
        StaffRole.STAFF,
    )
    _membership(
        _login(RIVERSIDE_OWNER, is_staff=True, first_name="Rita", last_name="Brooks"),
        riverside,
        StaffRole.OWNER,
    )
    load_demo_catalog(demo, now=now)
    load_riverside_catalog(riverside, now=now)
    from springboard.demo.families import load_families  # it imports Login from here

    load_families(demo, riverside, now=now)
    from springboard.demo.enrollments import load_demo_enrollments

    load_demo_enrollments(demo, now=now)
    from springboard.demo.money import load_demo_money

    load_demo_money(demo, now=now)
    from springboard.demo.discounts import load_demo_discounts

    load_demo_discounts(demo, now=now)
    from springboard.demo.shop import load_demo_shop

    load_demo_shop(demo, now=now)
    from springboard.demo.giftcards import load_demo_gift_cards

    load_demo_gift_cards(demo)
    from springboard.demo.autopay import load_demo_autopay

    load_demo_autopay(demo, now=now)
    from springboard.demo.waitingroom import load_demo_waiting_room

    load_demo_waiting_room(demo, now=now)
    from springboard.demo.attendance import load_demo_attendance

    load_demo_attendance(demo)
    from springboard.demo.changes import load_demo_changes

    load_demo_changes(demo, now=now)
    return {"demo": demo, "riverside": riverside}

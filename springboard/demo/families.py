"""Demo families, policies and referral sources (idempotent: found by natural keys).

- family@demo.example: the Rivera family at `demo`, two students, every policy agreed;
- twogyms@demo.example: the Chen family at both `demo` and `riverside` (Switch organizations).

Students' ages, not birth dates, are fixed: Mia is 9 and Leo 6 (and some months) on the day
the demo is loaded, whatever that day is.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model

from springboard.demo.data import Login
from springboard.demo.dates import born, local_today
from springboard.families.models import (
    Family,
    Guardian,
    Policy,
    PolicyAppliesTo,
    PolicyKind,
    ReferralSource,
    Student,
)
from springboard.families.policies import pending_items, record_answers
from springboard.tenancy.models import Organization

DEMO_FAMILY = Login("family@demo.example", "demo-family-2026", "the Rivera family at demo")
TWO_GYMS_FAMILY = Login(
    "twogyms@demo.example", "two-gyms-2026", "the Chen family at demo and riverside"
)
FAMILY_LOGINS = [DEMO_FAMILY, TWO_GYMS_FAMILY]

POLICIES = {
    "demo": [
        (
            PolicyKind.FAMILY,
            "Liability waiver",
            True,
            "Gymnastics, swimming and ninja training are physical activities with a risk of "
            "injury. I accept that risk for my family and release the gym from claims arising "
            "from ordinary participation.",
        ),
        (
            PolicyKind.FAMILY,
            "Photo and video consent",
            False,
            "The gym may use photos and videos taken in class on its website and social media.",
        ),
        (
            PolicyKind.STUDENT,
            "Medical release",
            True,
            "In an emergency the staff may arrange medical treatment for this student when a "
            "guardian cannot be reached.",
        ),
    ],
    "riverside": [
        (
            PolicyKind.FAMILY,
            "Pool rules",
            True,
            "Students shower before swimming, and a guardian stays on site during lessons for "
            "children under 6.",
        ),
        (
            PolicyKind.TRANSACTION,
            "Refund policy",
            True,
            "Lessons are refundable until the first class of the session.",
        ),
        (
            PolicyKind.TRANSACTION,
            "Tuition billing",
            True,
            "Tuition is billed on the first of each month until the family drops the class.",
            PolicyAppliesTo.MONTHLY_TUITION,
        ),
    ],
}
REFERRAL_SOURCES = ["A friend or family member", "Search engine", "Social media", "Drove by"]


def _policies(organization: Organization) -> None:
    for position, (kind, title, required, text, *applies_to) in enumerate(
        POLICIES.get(organization.account_name, [])
    ):
        if not Policy.objects.filter(organization=organization, title=title).exists():
            Policy.objects.create(
                organization=organization,
                kind=kind,
                title=title,
                required=required,
                text=text,
                position=position,
                applies_to=applies_to[0] if applies_to else PolicyAppliesTo.EVERY_ORDER,
            )


def _user(login: Login, first_name: str, last_name: str):
    User = get_user_model()
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(
            login.email, login.password, first_name=first_name, last_name=last_name
        )
    return user


def _family(
    organization, user, *, now: datetime, last_name: str, first_name: str, **fields
) -> Family:
    existing = Family.objects.filter(organization=organization, guardians__user=user).first()
    if existing is not None:
        return existing
    family = Family.objects.create(
        organization=organization,
        name=f"The {last_name} Family",
        email=user.email,
        email_confirmed_at=now,
        **fields,
    )
    Guardian.objects.create(
        organization=organization,
        family=family,
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=user.email,
        mobile_phone=family.mobile_phone,
        relationship="Parent",
        is_primary=True,
    )
    return family


def _student(family: Family, first_name: str, birth_date: date, gender: str) -> None:
    Student.objects.get_or_create(
        family=family,
        first_name=first_name,
        defaults={
            "organization_id": family.organization_id,
            "last_name": family.name.removeprefix("The ").removesuffix(" Family"),
            "birth_date": birth_date,
            "gender": gender,
        },
    )


def _agree(family: Family, user, signature: str, *, now: datetime) -> None:
    items = pending_items(family)
    if items:
        record_answers(
            family=family,
            user=user,
            answers={item.key: True for item in items},
            signature=signature,
            ip_address=None,
            now=now,
        )


def load_families(demo: Organization, riverside: Organization, *, now: datetime) -> None:
    today = local_today(now, demo.time_zone)
    for organization in (demo, riverside):
        _policies(organization)
    for position, name in enumerate(REFERRAL_SOURCES):
        ReferralSource.objects.get_or_create(
            organization=demo, name=name, defaults={"position": position}
        )
    address = {"address_line1": "41 Maple Avenue", "city": "Springfield", "region": "IL"}
    rivera = _user(DEMO_FAMILY, "Ana", "Rivera")
    family = _family(
        demo,
        rivera,
        now=now,
        first_name="Ana",
        last_name="Rivera",
        mobile_phone="+12175550147",
        postal_code="62704",
        **address,
    )
    _student(family, "Mia", born(today, 9, 262), "female")
    _student(family, "Leo", born(today, 6, 90), "male")
    _agree(family, rivera, "Ana Rivera", now=now)

    chen = _user(TWO_GYMS_FAMILY, "Wei", "Chen")
    for organization in (demo, riverside):
        family = _family(
            organization,
            chen,
            now=now,
            first_name="Wei",
            last_name="Chen",
            mobile_phone="+12175550163",
            postal_code="62704",
            **address,
        )
        _student(family, "Lily", born(local_today(now, organization.time_zone), 10, 11), "female")
        _agree(family, chen, "Wei Chen", now=now)

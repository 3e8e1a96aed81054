"""Builders for families, students and policies (kept apart from tests/factories.py so the
catalogue's builders and these grow without touching each other)."""

import itertools
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from springboard.families.models import (
    EmergencyContact,
    Family,
    Guardian,
    Policy,
    PolicyKind,
    Student,
)
from springboard.families.policies import pending_items, record_answers
from tests.factories import PASSWORD

_numbers = itertools.count(1)


def login(email: str | None = None, password: str = PASSWORD):
    email = email or f"parent{next(_numbers)}@example.com"
    User = get_user_model()
    return User.objects.filter(email=email).first() or User.objects.create_user(email, password)


def family(org, user=None, *, last_name: str = "Rivera", confirmed: bool = True, **fields):
    user = user or login()
    fields.setdefault("address_line1", "12 Elm Street")
    fields.setdefault("city", "Springfield")
    fields.setdefault("postal_code", "62701")
    fields.setdefault("mobile_phone", "+12175550147")
    found = Family.objects.create(
        organization=org,
        name=f"The {last_name} Family",
        email=user.email,
        email_confirmed_at=timezone.now() if confirmed else None,
        **fields,
    )
    Guardian.objects.create(
        organization=org,
        family=found,
        user=user,
        first_name="Ana",
        last_name=last_name,
        email=user.email,
        is_primary=True,
    )
    return found


def student(fam, **fields) -> Student:
    fields.setdefault("first_name", f"Kid{next(_numbers)}")
    fields.setdefault("last_name", "Rivera")
    fields.setdefault("birth_date", date(2018, 5, 4))
    fields.setdefault("gender", "female")
    return Student.objects.create(organization_id=fam.organization_id, family=fam, **fields)


def guardian(fam, **fields) -> Guardian:
    fields.setdefault("first_name", "Luis")
    fields.setdefault("last_name", "Rivera")
    return Guardian.objects.create(organization_id=fam.organization_id, family=fam, **fields)


def emergency_contact(fam, **fields) -> EmergencyContact:
    fields.setdefault("name", "Grandma Rivera")
    fields.setdefault("phone", "+12175550188")
    return EmergencyContact.objects.create(
        organization_id=fam.organization_id, family=fam, **fields
    )


def policy(org, kind: str = PolicyKind.FAMILY, **fields) -> Policy:
    number = next(_numbers)
    fields.setdefault("title", f"Policy {number}")
    fields.setdefault("text", f"The words of policy {number}.")
    return Policy.objects.create(organization=org, kind=kind, **fields)


def agree_to_everything(fam, user=None) -> None:
    items = pending_items(fam)
    record_answers(
        family=fam,
        user=user,
        answers={item.key: True for item in items},
        signature="Ana Rivera",
        ip_address="127.0.0.1",
        now=timezone.now(),
    )

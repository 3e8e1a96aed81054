"""Builders for test data, going through the same models and services the app uses."""

import itertools
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from springboard.content.models import NewsItem, StaffProfile
from springboard.tenancy.models import Location, Organization, StaffMembership, StaffRole

_numbers = itertools.count(1)

PASSWORD = "correct-horse-battery"


def organization(account_name: str | None = None, **fields) -> Organization:
    number = next(_numbers)
    account_name = account_name or f"gym-{number}"
    fields.setdefault("name", f"Gym {number}")
    return Organization.objects.create(account_name=account_name, **fields)


def location(org: Organization, **fields) -> Location:
    number = next(_numbers)
    fields.setdefault("name", f"Location {number}")
    fields.setdefault("address_line1", f"{number} Main Street")
    fields.setdefault("city", "Springfield")
    fields.setdefault("phone", f"(217) 555-{number:04d}")
    return Location.objects.create(organization=org, **fields)


def news_item(org: Organization, **fields) -> NewsItem:
    number = next(_numbers)
    fields.setdefault("title", f"News {number}")
    fields.setdefault("summary", f"Summary {number}")
    fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=number))
    return NewsItem.objects.create(organization=org, **fields)


def staff_profile(org: Organization, **fields) -> StaffProfile:
    fields.setdefault("name", f"Coach {next(_numbers)}")
    return StaffProfile.objects.create(organization=org, **fields)


def user(email: str | None = None, **fields):
    email = email or f"person{next(_numbers)}@example.com"
    return get_user_model().objects.create_user(email, PASSWORD, **fields)


def staff_user(org: Organization, role: str = StaffRole.STAFF, **fields):
    person = user(is_staff=True, **fields)
    StaffMembership.objects.create(user=person, organization=org, role=role)
    return person


def image_upload(name: str = "photo.png", size=(64, 48), image_format: str = "PNG"):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    content_type = "image/png" if image_format == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)

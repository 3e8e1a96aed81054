"""The demo's families: loading twice changes nothing, and the logins work."""

import pytest
from django.utils import timezone

from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY, TWO_GYMS_FAMILY
from springboard.families.models import Family, PolicyAgreement, Student

pytestmark = pytest.mark.django_db


def test_the_demo_families_load_once_and_can_log_in(client):
    data.load(now=timezone.now())
    counts = (Family.objects.count(), Student.objects.count(), PolicyAgreement.objects.count())
    data.load(now=timezone.now())
    assert counts == (
        Family.objects.count(),
        Student.objects.count(),
        PolicyAgreement.objects.count(),
    )
    response = client.post(
        "/demo/login/", {"email": DEMO_FAMILY.email, "password": DEMO_FAMILY.password}
    )
    assert response["Location"] == "/demo/dashboard/"
    page = client.get("/demo/dashboard/")
    assert b"Welcome back, The Rivera Family" in page.content
    assert Student.objects.filter(family__name="The Rivera Family").count() == 2


def test_the_two_gyms_login_switches_organizations(client):
    data.load(now=timezone.now())
    client.post(
        "/demo/login/", {"email": TWO_GYMS_FAMILY.email, "password": TWO_GYMS_FAMILY.password}
    )
    assert b"Riverside Swim School" in client.get("/demo/switch/").content
    assert client.get("/riverside/dashboard/").status_code == 200

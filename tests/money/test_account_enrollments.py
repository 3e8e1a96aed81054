"""My Account → Enrollments: current and past per student, with the schedule."""

from datetime import date

import pytest
from django.utils import timezone

from springboard.booking.models import Enrollment
from tests import family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


def test_current_and_past_enrollments_per_student(client, org):
    family = family_factories.family(org)
    mia = family_factories.student(family, first_name="Mia")
    old_term = catalog.term(org, start_date=date(2020, 1, 6), end_date=date(2020, 3, 28))
    now_term = catalog.term(org, start_date=date(2020, 1, 6), end_date=date(2099, 3, 28))
    for name, term in (("Old Swim", old_term), ("Swim 2", now_term)):
        course = catalog.course(org, name=name, term=term)
        Enrollment.objects.create(
            organization=org, student=mia, course=course, created_at=timezone.now()
        )
    client.force_login(family.guardians.get().user)
    body = client.get("/acme/account/").content.decode()
    section = body[body.index('data-testid="enrollments"') :]
    assert "Mia" in section
    assert "Swim 2 · Mon 4:00pm–5:00pm" in section
    assert "Past: Old Swim" in section
    assert 'href="/acme/account/payments/"' in body

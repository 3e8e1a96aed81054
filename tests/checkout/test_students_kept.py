"""A student with enrollments (active or past) is never deleted, only marked inactive."""

import pytest
from django.utils import timezone

from springboard.booking.models import Enrollment
from springboard.families.models import Student
from springboard.families.models.families import StudentHasEnrollments
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db


def test_a_student_with_an_enrollment_cannot_be_deleted(org, family):
    _family, student = family
    Enrollment.objects.create(
        organization=org,
        student=student,
        course=catalog.course(org),
        status="dropped",
        created_at=timezone.now(),
    )
    with pytest.raises(StudentHasEnrollments):
        student.delete()
    student.is_active = False
    student.save()
    assert Student.objects.filter(pk=student.pk, is_active=False).exists()


def test_a_student_without_enrollments_can_be_deleted(org, family):
    _family, student = family
    student.delete()
    assert not Student.objects.filter(pk=student.pk).exists()


def test_the_admin_offers_no_delete_for_an_enrolled_student(org, family, rf):
    from django.contrib.admin.sites import site

    _family, student = family
    Enrollment.objects.create(
        organization=org, student=student, course=catalog.course(org), created_at=timezone.now()
    )
    admin = site._registry[Student]
    assert admin.has_delete_permission(rf.get("/"), student) is False

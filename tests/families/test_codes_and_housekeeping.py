"""Codes are stored hashed, and housekeeping forgets old codes and failed logins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from springboard.families import codes
from springboard.families.housekeeping import forget_old_codes_and_failures
from springboard.families.models import CodePurpose, EmailCode, LoginFailure

pytestmark = pytest.mark.django_db


def test_a_code_is_six_digits_stored_only_as_a_hash():
    now = timezone.now()
    issued = codes.issue_code(purpose=CodePurpose.RESET, email="A@Example.com", now=now)
    code = codes.code_for(issued)
    assert len(code) == 6 and code.isdigit()
    record = EmailCode.objects.get()
    assert record.email == "a@example.com"
    assert code not in record.code_hash
    assert record.expires_at == now + timedelta(minutes=10)
    assert codes.use_code(purpose=CodePurpose.RESET, email="a@example.com", code=code, now=now)
    with pytest.raises(codes.CodeError):
        codes.use_code(purpose=CodePurpose.RESET, email="a@example.com", code=code, now=now)


def test_a_code_for_one_purpose_does_not_work_for_another():
    now = timezone.now()
    code = codes.code_for(
        codes.issue_code(purpose=CodePurpose.SIGNUP, email="a@example.com", now=now)
    )
    with pytest.raises(codes.CodeError):
        codes.use_code(purpose=CodePurpose.RESET, email="a@example.com", code=code, now=now)


def test_housekeeping_forgets_old_codes_and_failures():
    now = timezone.now()
    codes.issue_code(purpose=CodePurpose.RESET, email="a@example.com", now=now - timedelta(hours=2))
    codes.issue_code(purpose=CodePurpose.RESET, email="b@example.com", now=now)
    LoginFailure.objects.create(email="a@example.com", failed_at=now - timedelta(minutes=20))
    LoginFailure.objects.create(email="a@example.com", failed_at=now)
    assert "1 old codes and 1 old failed logins" in forget_old_codes_and_failures(now)
    assert EmailCode.objects.get().email == "b@example.com"
    assert LoginFailure.objects.count() == 1

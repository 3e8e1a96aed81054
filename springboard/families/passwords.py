"""Forgot Password and email changes, both by an emailed 6-digit code (see codes.py)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from springboard.families.codes import CodeError, issue_code, use_code
from springboard.families.mail import send_code_after_commit
from springboard.families.models import CodePurpose, Family, normalize_email_address
from springboard.tenancy.models import Organization


class EmailChangeError(Exception):
    """The password was wrong or the new email is taken; the message is for the family."""


def request_password_reset(*, organization: Organization, email: str, now: datetime) -> None:
    """Known and unknown emails take this same path; only a known login is sent the code."""
    email = normalize_email_address(email)
    with transaction.atomic():
        user = get_user_model().objects.filter(email=email, is_active=True).first()
        record = issue_code(purpose=CodePurpose.RESET, email=email, user=user, now=now)
        if record is not None and user is not None:
            send_code_after_commit(record, organization=organization)


def reset_password(*, email: str, code: str, password: str, now: datetime):
    """Spend a reset code and set the new password. Changing the password changes the
    session hash, so every other session of this login ends; the caller logs this one in."""
    email = normalize_email_address(email)
    # Outside the transaction below: a wrong try must stay counted when CodeError is raised.
    record = use_code(purpose=CodePurpose.RESET, email=email, code=code, now=now)
    user = record.user
    if user is None or not user.is_active:
        raise CodeError
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        # Whoever reads the inbox controls the email: the families count as confirmed.
        Family.objects.filter(guardians__user=user, email_confirmed_at__isnull=True).update(
            email_confirmed_at=now
        )
    return user


def request_email_change(
    *, organization: Organization, user, password: str, new_email: str, now: datetime
) -> None:
    new_email = normalize_email_address(new_email)
    if not user.check_password(password):
        raise EmailChangeError(_("That password is not right."))
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
            # Saying so reveals only what the owner of this login may know anyway.
            raise EmailChangeError(_("Another login uses that email."))
        record = issue_code(purpose=CodePurpose.EMAIL_CHANGE, email=new_email, user=user, now=now)
        if record is not None:
            send_code_after_commit(record, organization=organization)


def confirm_email_change(*, user, new_email: str, code: str, now: datetime):
    new_email = normalize_email_address(new_email)
    record = use_code(purpose=CodePurpose.EMAIL_CHANGE, email=new_email, code=code, now=now)
    if record.user_id != user.pk:
        raise CodeError
    with transaction.atomic():
        if get_user_model().objects.filter(email=new_email).exclude(pk=user.pk).exists():
            raise CodeError(_("Another login uses that email."))
        user.email = new_email
        user.save(update_fields=["email"])
        Family.objects.filter(guardians__user=user).update(email=new_email)
        user.guardianships.update(email=new_email)
    return user

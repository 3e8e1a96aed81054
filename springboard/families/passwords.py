"""Forgot Password and email changes, both by an emailed 6-digit code (see codes.py), and
changing the password from My Account.

Changing the password or the email changes the login's session hash (models/users.py), so
every other session of the login ends at its next request; views keep their own session with
update_session_auth_hash. Checking the current password counts toward the login throttle.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from springboard.families import cached, throttle
from springboard.families.codes import CodeError, issue_code, use_code
from springboard.families.mail import send_after_commit, send_code_after_commit
from springboard.families.models import CodePurpose, Family, Guardian, normalize_email_address
from springboard.tenancy.models import Organization


class EmailChangeError(Exception):
    """The password was wrong or the new email is taken; the message is for the family."""


class PasswordChangeError(EmailChangeError):
    """The current password was wrong (or its checks are paused); the message is for them."""


def _check_current_password(user, password: str, *, ip: str | None, now: datetime) -> None:
    """The login's current password, counted like a login (an open session must not let
    anyone guess the password that guards email and password changes)."""
    if throttle.locked_until(email=user.email, ip=ip, now=now) is not None:
        raise PasswordChangeError(
            _("Too many wrong passwords from here. Please wait 15 minutes and try again.")
        )
    if not user.check_password(password):
        throttle.record_failure(email=user.email, ip=ip, now=now)
        raise PasswordChangeError(_("That password is not right."))


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
        Family.objects.with_scopes_disabled().filter(  # every organization's families
            guardians__user=user, email_confirmed_at__isnull=True
        ).update(email_confirmed_at=now)
        cached.login_families_changed(user.pk)
    return user


def request_email_change(
    *,
    organization: Organization,
    user,
    password: str,
    new_email: str,
    now: datetime,
    ip: str | None = None,
) -> None:
    new_email = normalize_email_address(new_email)
    _check_current_password(user, password, ip=ip, now=now)
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
            # Saying so reveals only what the owner of this login may know anyway.
            raise EmailChangeError(_("Another login uses that email."))
        record = issue_code(purpose=CodePurpose.EMAIL_CHANGE, email=new_email, user=user, now=now)
        if record is not None:
            send_code_after_commit(record, organization=organization)


def confirm_email_change(
    *, organization: Organization, user, new_email: str, code: str, now: datetime
):
    """Switch the login to the new email; the old address is told (in case it was not them),
    and the change of email ends the login's other sessions."""
    new_email = normalize_email_address(new_email)
    record = use_code(purpose=CodePurpose.EMAIL_CHANGE, email=new_email, code=code, now=now)
    if record.user_id != user.pk:
        raise CodeError
    with transaction.atomic():
        if get_user_model().objects.filter(email=new_email).exclude(pk=user.pk).exists():
            raise CodeError(_("Another login uses that email."))
        old_email = user.email
        user.email = new_email
        user.save(update_fields=["email"])
        # One login, its families in every organization.
        Family.objects.with_scopes_disabled().filter(guardians__user=user).update(email=new_email)
        Guardian.objects.with_scopes_disabled().filter(user=user).update(email=new_email)
        cached.login_families_changed(user.pk)
        send_after_commit(
            "email_changed",
            to=old_email,
            subject=_("Your login's email was changed · %(name)s") % {"name": organization.name},
            context={"organization": organization, "new_email": new_email},
        )
    return user


def change_password(
    *,
    organization: Organization,
    user,
    current_password: str,
    new_password: str,
    ip: str | None,
    now: datetime,
):
    """A logged-in family's new password (Django's validators ran in the form). Every other
    session of the login ends; the caller keeps its own (update_session_auth_hash). The login's
    address is told, in case it was not them."""
    _check_current_password(user, current_password, ip=ip, now=now)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        send_after_commit(
            "password_changed",
            to=user.email,
            subject=_("Your password was changed · %(name)s") % {"name": organization.name},
            context={"organization": organization},
        )
    return user

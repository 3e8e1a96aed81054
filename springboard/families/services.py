"""Family accounts: sign-up, confirming the email, students, guardians, emergency contacts.

Plain functions with keyword-only arguments and an explicit `now`. Each opens its own
transaction; email goes out after commit. Failures a family can fix raise AccountError.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from springboard.core.prepared import Prepared
from springboard.families import cached
from springboard.families.codes import CodeError, issue_code, use_code
from springboard.families.language import current_language
from springboard.families.mail import (
    send_after_commit,
    send_code_after_commit,
    send_guardian_invite_after_commit,
)
from springboard.families.models import (
    CodePurpose,
    EmergencyContact,
    Family,
    Guardian,
    Student,
    normalize_email_address,
)
from springboard.tenancy.models import Organization

FAMILY_FIELDS = [
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "mobile_phone",
    "referral_source",
    "news_opt_in",
]
STUDENT_FIELDS = ["first_name", "last_name", "birth_date", "gender", "medical_notes"]


class AccountError(Exception):
    """A request about an account that cannot be done; the message is for the family."""


def family_for(user, organization: Organization) -> Family | None:
    """The family this login is a guardian of in this organization (at most one)."""
    if user is None or not user.is_authenticated:
        return None
    found = _FAMILY_OF(organization_id=organization.pk, user_id=user.pk)
    return found[0] if found else None


def _family_of(organization_id: int, user_id: int):
    # What .first() reads (Family is ordered: the first by that order).
    return (
        Family.objects.for_organization(organization_id)
        .filter(guardians__user_id=user_id)
        .select_related("organization")[:1]
    )


# Compiled once per process (core.prepared): the portal's middleware reads it for every
# login's first page (the dashboard after the login; docs/performance.md, "listcost").
_FAMILY_OF = Prepared(_family_of)


def organizations_of(user) -> list[Organization]:
    """Every active organization this login has a family in."""
    return list(
        Organization.objects.filter(is_active=True, family__guardians__user=user)
        .distinct()
        .order_by("name")
    )


def _family_name(last_name: str) -> str:
    return _("The %(name)s Family") % {"name": last_name.strip()}


def _send_code(*, organization, purpose: str, email: str, user, now: datetime) -> None:
    record = issue_code(purpose=purpose, email=email, user=user, now=now)
    if record is None:
        return  # three this hour already; the page looks the same
    send_code_after_commit(record, organization=organization)


def create_account(
    *,
    organization: Organization,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    now: datetime,
    **family_fields,
) -> Family | None:
    """A new login, its family and guardian, and a code to confirm the email.

    An email that already has a login gets a message telling it to log in or reset its
    password instead, and None is returned; the visitor sees the same page either way.
    """
    email = normalize_email_address(email)
    if not organization.portal_settings.visitors_may_create_accounts:
        raise AccountError(_("This organization creates accounts at the front desk."))
    User = get_user_model()
    # Both paths hash the password once, so the time taken does not tell a known email.
    encoded = make_password(password)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            # The same code path as a new email (a code row, the hourly limit), but the code
            # belongs to no login, so it can confirm nothing, and nobody is sent it.
            if issue_code(purpose=CodePurpose.SIGNUP, email=email, user=None, now=now) is None:
                return None
            send_after_commit(
                "already_registered",
                to=email,
                subject=_("You already have a login · %(name)s") % {"name": organization.name},
                context={"organization": organization},
            )
            return None
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
        user.password = encoded
        user.save(update_fields=["password"])
        family = Family.objects.create(
            organization=organization,
            name=_family_name(last_name),
            email=email,
            language=current_language(),
            **{k: v for k, v in family_fields.items() if k in FAMILY_FIELDS},
        )
        Guardian.objects.create(
            organization=organization,
            family=family,
            user=user,
            first_name=first_name,
            last_name=last_name,
            email=email,
            mobile_phone=family.mobile_phone,
            is_primary=True,
        )
        _send_code(
            organization=organization,
            purpose=CodePurpose.SIGNUP,
            email=email,
            user=user,
            now=now,
        )
    return family


def send_signup_code(*, organization: Organization, email: str, now: datetime) -> None:
    """Another code for an unconfirmed login (nothing for unknown or confirmed emails)."""
    email = normalize_email_address(email)
    with transaction.atomic():
        user = get_user_model().objects.filter(email=email).first()
        if (
            user is not None
            and Family.objects.with_scopes_disabled()  # a login's families, every organization
            .filter(guardians__user=user, email_confirmed_at__isnull=True)
            .exists()
        ):
            _send_code(
                organization=organization,
                purpose=CodePurpose.SIGNUP,
                email=email,
                user=user,
                now=now,
            )


def confirm_email(*, email: str, code: str, now: datetime):
    """Spend a sign-up code: every family of that login counts as confirmed. Returns the login."""
    email = normalize_email_address(email)
    record = use_code(purpose=CodePurpose.SIGNUP, email=email, code=code, now=now)
    user = record.user
    if user is None or user.email != email:
        raise CodeError
    Family.objects.with_scopes_disabled().filter(  # the login's families, every organization
        guardians__user=user, email_confirmed_at__isnull=True
    ).update(email_confirmed_at=now)
    cached.login_families_changed(user.pk)
    return user


def create_family_here(
    *, organization: Organization, user, first_name: str, last_name: str, now: datetime, **fields
) -> Family:
    """A family in a second organization for an existing login (never a second login)."""
    with transaction.atomic():
        if family_for(user, organization) is not None:
            raise AccountError(_("You already have a family here."))
        confirmed = (  # the login confirmed its email in any organization
            Family.objects.with_scopes_disabled()
            .filter(guardians__user=user, email_confirmed_at__isnull=False)
            .exists()
        )
        fields = {k: v for k, v in fields.items() if k in FAMILY_FIELDS}
        if fields.get("referral_source") is not None and (
            fields["referral_source"].organization_id != organization.pk
        ):
            fields["referral_source"] = None
        family = Family.objects.create(
            organization=organization,
            name=_family_name(last_name),
            email=user.email,
            language=current_language(),
            email_confirmed_at=now if confirmed else None,
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
            is_primary=True,
        )
    return family


def prefill_for(user) -> dict:
    """What a login's existing family says about it, to pre-fill "Create your family here"."""
    # Across organizations on purpose: the login's family elsewhere fills the form in.
    guardian = (
        Guardian.objects.with_scopes_disabled()
        .filter(user=user)
        .select_related("family")
        .order_by("-id")
        .first()
    )
    if guardian is None:
        return {"first_name": user.first_name, "last_name": user.last_name}
    family = guardian.family
    initial = {"first_name": guardian.first_name, "last_name": guardian.last_name}
    for name in FAMILY_FIELDS:
        if name not in ("referral_source", "news_opt_in"):
            initial[name] = getattr(family, name)
    return initial


def _check_birth_date(birth_date: date, today: date) -> None:
    if birth_date > today:
        raise ValidationError({"birth_date": _("A birth date cannot be in the future.")})


def add_student(*, family: Family, now: datetime, **fields) -> Student:
    _check_birth_date(fields["birth_date"], now.date())
    return Student.objects.create(
        organization_id=family.organization_id,
        family=family,
        **{k: v for k, v in fields.items() if k in STUDENT_FIELDS},
    )


def update_student(*, student: Student, now: datetime, **fields) -> Student:
    _check_birth_date(fields["birth_date"], now.date())
    for name in STUDENT_FIELDS:
        if name in fields:
            setattr(student, name, fields[name])
    student.save()
    return student


def update_contact(*, family: Family, **fields) -> Family:
    for name in FAMILY_FIELDS:
        if name in fields:
            setattr(family, name, fields[name])
    family.save()
    return family


def add_guardian(*, family: Family, join_url: str | None = None, **fields) -> Guardian:
    """A second guardian; with an email and `join_url` (the absolute URL of the join page),
    they are emailed a signed link to take up their own login (made in the worker)."""
    with transaction.atomic():
        guardian = Guardian.objects.create(
            organization_id=family.organization_id, family=family, **fields
        )
        if guardian.email and join_url is not None:
            send_guardian_invite_after_commit(guardian, join_url=join_url)
    return guardian


def add_emergency_contact(*, family: Family, **fields) -> EmergencyContact:
    return EmergencyContact.objects.create(
        organization_id=family.organization_id, family=family, **fields
    )

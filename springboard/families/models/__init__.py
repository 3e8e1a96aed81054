"""Families' models, split by sub-domain: logins, families, policies, security (codes, throttle)."""

from springboard.families.models.calendar import CalendarFeed
from springboard.families.models.families import (
    EmergencyContact,
    Family,
    Gender,
    Guardian,
    ReferralSource,
    Student,
)
from springboard.families.models.policies import (
    Policy,
    PolicyAgreement,
    PolicyAppliesTo,
    PolicyKind,
    PolicyVersion,
)
from springboard.families.models.security import CodePurpose, EmailCode, LoginFailure
from springboard.families.models.users import User, UserManager, normalize_email_address

__all__ = [
    "CalendarFeed",
    "CodePurpose",
    "EmailCode",
    "EmergencyContact",
    "Family",
    "Gender",
    "Guardian",
    "LoginFailure",
    "Policy",
    "PolicyAgreement",
    "PolicyAppliesTo",
    "PolicyKind",
    "PolicyVersion",
    "ReferralSource",
    "Student",
    "User",
    "UserManager",
    "normalize_email_address",
]

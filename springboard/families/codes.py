"""6-digit codes sent by email: confirm an email at sign-up, reset a password, change an email.

A code is derived from its row (id, purpose, email, time of issue) and SECRET_KEY (`code_for`,
an HMAC), so the task that sends it carries only the row's id and the worker computes the
code: the code itself is written nowhere but in the email. Only its keyed hash is stored; it
lives 10 minutes, works once, and dies after 5 wrong tries. At most 3 codes per email and
purpose are issued per hour; past that the request looks the same but nothing is sent.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from springboard.core.parsing import ascii_digits
from springboard.families.models import EmailCode, normalize_email_address

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3


class CodeError(Exception):
    """The code is wrong, expired, used or dead; one message for all, on purpose."""

    def __init__(self, message=None):
        super().__init__(message or _("That code is wrong or has expired. Ask for a new one."))


def _hash(purpose: str, email: str, code: str) -> str:
    return salted_hmac(
        "springboard.email-code", f"{purpose}:{email}:{code}", algorithm="sha256"
    ).hexdigest()


def code_for(record: EmailCode) -> str:
    """The 6 digits of this code row: an HMAC (SECRET_KEY) of the row, computed where the email
    is rendered. Reading it needs the secret key and the row, as brute-forcing the stored hash
    would; a retried task sends the same code."""
    issued = record.created_at.astimezone(UTC).isoformat()
    digest = salted_hmac(
        "springboard.email-code.value",
        f"{record.pk}:{record.purpose}:{record.email}:{issued}",
        algorithm="sha256",
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def issue_code(*, purpose: str, email: str, user=None, now: datetime) -> EmailCode | None:
    """A new code row for email (`code_for` gives its digits), or None when this email has had
    MAX_CODES_PER_HOUR this hour."""
    email = normalize_email_address(email)
    recent = EmailCode.objects.filter(
        purpose=purpose, email=email, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= MAX_CODES_PER_HOUR:
        return None
    # A new code replaces the earlier ones: only the latest works.
    EmailCode.objects.filter(purpose=purpose, email=email, used_at__isnull=True).update(used_at=now)
    record = EmailCode.objects.create(
        purpose=purpose,
        email=email,
        user=user,
        code_hash="",
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    record.code_hash = _hash(purpose, email, code_for(record))
    record.save(update_fields=["code_hash"])
    return record


def use_code(*, purpose: str, email: str, code: str, now: datetime) -> EmailCode:
    """Spend the live code for email if `code` matches; else count a try and raise CodeError."""
    email = normalize_email_address(email)
    code = (code or "").strip()
    with transaction.atomic():
        record = (
            EmailCode.objects.select_for_update()
            .filter(purpose=purpose, email=email, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if record is None or record.attempts >= MAX_ATTEMPTS:
            matched = False
        elif (len(code) == 6 and ascii_digits(code)) and constant_time_compare(
            record.code_hash, _hash(purpose, email, code)
        ):
            matched = True
            record.used_at = now
            record.save(update_fields=["used_at"])
        else:
            # The wrong try is counted and kept (raising inside the block would undo it).
            matched = False
            record.attempts += 1
            record.save(update_fields=["attempts"])
    if not matched:
        raise CodeError
    return record

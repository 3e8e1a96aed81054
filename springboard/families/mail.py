"""Email to families, sent after commit through the tasks API (the worker is django_tasks_db).

Requests never wait on SMTP; the tests run tasks immediately. A rolled-back transaction sends
nothing. A task's arguments are a database row until the worker has run (and until
housekeeping prunes finished rows), so messages that carry a secret — a code, an invitation
link — are queued as ids and rendered in the worker (`send_code`, `send_guardian_invite`);
`send_after_commit` renders now and queues the finished text, for messages with no secret.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from springboard.families.codes import code_for
from springboard.families.models import CodePurpose, EmailCode, Guardian
from springboard.tenancy.models import Organization

INVITE_SALT = "springboard.guardian-invite"


@task
@scopes_disabled()  # tasks run outside any request: no organization scope of their own
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"families/email/{template}.txt", context)
    html = render_to_string(f"families/email/{template}.html", context)
    return text, html


def send_after_commit(template: str, *, to: str, subject: str, context: dict) -> None:
    """Render templates/families/email/<template>.txt and .html and send them after commit."""
    text, html = _render(template, {**context, "subject": subject})
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
    )


def _code_subject(purpose: str, code: str, organization: Organization) -> str:
    subjects = {
        CodePurpose.SIGNUP: _("Your code to confirm your email: %(code)s · %(name)s"),
        CodePurpose.RESET: _("Your code to reset your password: %(code)s · %(name)s"),
        CodePurpose.EMAIL_CHANGE: _("Your code to confirm your new email: %(code)s · %(name)s"),
    }
    return subjects[purpose] % {"code": code, "name": organization.name}


@task
@scopes_disabled()  # the worker: no request, no organization scope
def send_code(*, code_id: int, organization_id: int, language: str) -> None:
    """The email carrying a code, rendered here: the code is computed from its row."""
    record = EmailCode.objects.filter(pk=code_id, used_at__isnull=True).first()
    if record is None:
        return  # used or replaced by a newer code meanwhile: nothing worth sending
    organization = Organization.objects.get(pk=organization_id)
    with translation.override(language):
        code = code_for(record)
        subject = _code_subject(record.purpose, code, organization)
        context = {"code": code, "organization": organization, "purpose": record.purpose}
        text, html = _render("code", {**context, "subject": subject})
    send_email.call(to=record.email, subject=subject, text=text, html=html)


def send_code_after_commit(record: EmailCode, *, organization: Organization) -> None:
    """Queue the email for this code row after commit: only ids and the language are queued."""
    kwargs = {
        "code_id": record.pk,
        "organization_id": organization.pk,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    transaction.on_commit(lambda: send_code.enqueue(**kwargs), robust=True)


def invite_token(guardian: Guardian) -> str:
    return signing.dumps({"g": guardian.pk, "e": guardian.email}, salt=INVITE_SALT)


@task
@scopes_disabled()  # the worker: no request, no organization scope
def send_guardian_invite(*, guardian_id: int, join_url: str, language: str) -> None:
    """The invitation to a guardian's own login; the signed link is made here, in the worker."""
    guardian = (
        Guardian.objects.filter(pk=guardian_id, user__isnull=True)
        .select_related("family__organization")
        .first()
    )
    if guardian is None or not guardian.email:
        return  # already joined (or gone): the link would not work
    family = guardian.family
    with translation.override(language):
        subject = _("You are invited to %(family)s at %(name)s") % {
            "family": family.name,
            "name": family.organization.name,
        }
        context = {
            "guardian": guardian,
            "family": family,
            "organization": family.organization,
            "url": f"{join_url}?token={invite_token(guardian)}",
            "subject": subject,
        }
        text, html = _render("guardian_invite", context)
    send_email.call(to=guardian.email, subject=subject, text=text, html=html)


def send_guardian_invite_after_commit(guardian: Guardian, *, join_url: str) -> None:
    kwargs = {
        "guardian_id": guardian.pk,
        "join_url": join_url,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    transaction.on_commit(lambda: send_guardian_invite.enqueue(**kwargs), robust=True)

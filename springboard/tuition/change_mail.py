"""The emails of a family's drop and transfer requests: "request received" when the family
files one staff must approve (in the family's language, families.language), and the
decision (approved or denied, with the staff's note) or the expiry of a transfer request
undecided (in the language the family asked in, the request's `language`). Rendered now,
queued after commit through the families' mail task (real Django mail)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from springboard.booking.models import ChangeKind, ChangeStatus
from springboard.families.language import in_language_of
from springboard.families.mail import send_email


def account_url(change) -> str:
    path = reverse("portal:account", kwargs={"account": change.organization.account_name})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _what(change) -> str:
    if change.kind == ChangeKind.TRANSFER:
        return _("your transfer to %(course)s") % {"course": change.to_course.name}
    return _("dropping %(course)s") % {"course": change.enrollment.course.name}


def _enqueue(to: str, subject: str, text: str, html: str) -> None:
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
    )


def send_received(change) -> None:
    """The family filed a drop or transfer request staff must approve (one per request)."""
    family = change.family
    with in_language_of(family):
        what = _what(change)
        subject = _("Request received: %(what)s for %(name)s") % {
            "what": what,
            "name": change.student.first_name,
        }
        context = {
            "change": change,
            "what": what,
            "account_url": account_url(change),
            "subject": subject,
        }
        text = render_to_string("tuition/email/change_received.txt", context)
        html = render_to_string("tuition/email/change_received.html", context)
    _enqueue(family.email, subject, text, html)


def send_decision(change) -> None:
    with translation.override(change.language or settings.LANGUAGE_CODE):
        what = _what(change)
        if change.status == ChangeStatus.APPROVED:
            subject = _("Approved: %(what)s for %(name)s")
        elif change.status == ChangeStatus.EXPIRED:
            subject = _("Expired: %(what)s for %(name)s")
        else:
            subject = _("Not approved: %(what)s for %(name)s")
        subject = subject % {"what": what, "name": change.student.first_name}
        context = {
            "change": change,
            "what": what,
            "approved": change.status == ChangeStatus.APPROVED,
            "expired": change.status == ChangeStatus.EXPIRED,
            "account_url": account_url(change),
            "subject": subject,
        }
        text = render_to_string("tuition/email/change_decided.txt", context)
        html = render_to_string("tuition/email/change_decided.html", context)
    _enqueue(change.family.email, subject, text, html)

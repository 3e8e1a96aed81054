"""The email a family gets when staff decide its request (approved or denied, with the
staff's note) or when a transfer request expires undecided: rendered now in the language
the family asked in (the request's `language`; families have no language field), queued
after commit through the families' mail task (real Django mail)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from springboard.booking.models import ChangeKind, ChangeStatus
from springboard.families.mail import send_email


def account_url(change) -> str:
    path = reverse("portal:account", kwargs={"account": change.organization.account_name})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_decision(change) -> None:
    with translation.override(change.language or settings.LANGUAGE_CODE):
        what = (
            _("your transfer to %(course)s") % {"course": change.to_course.name}
            if change.kind == ChangeKind.TRANSFER
            else _("dropping %(course)s") % {"course": change.enrollment.course.name}
        )
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
    to = change.family.email
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
    )

"""Waitlist offer emails: rendered now, sent after commit through the families' mail task."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from springboard.families.language import in_language_of
from springboard.families.mail import send_email


def claim_url(entry) -> str:
    path = reverse(
        "portal:claim_offer",
        kwargs={"account": entry.organization.account_name, "token": entry.token},
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_offer(entry) -> None:
    with in_language_of(entry.family):
        subject = _("A seat is free in %(course)s") % {"course": entry.course.name}
        context = {"entry": entry, "claim_url": claim_url(entry), "subject": subject}
        text = render_to_string("booking/email/waitlist_offer.txt", context)
        html = render_to_string("booking/email/waitlist_offer.html", context)
        to = entry.family.email
        transaction.on_commit(
            lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
        )

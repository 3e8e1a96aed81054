"""The emails of absences and makeups (docs/booking.md, "Absences and makeups"): a
confirmation when the rules apply one at once ("marked absent", "makeup booked"), "request
received" when the family files one staff must approve, and the staff's decision on a
request (approved or not, with the note). Each is rendered now in the
family's language (families.language.in_language_of), whoever triggered it, and queued after
commit through the families' mail task (real Django mail), as tuition.change_mail does."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from springboard.catalog import schedule
from springboard.families.language import in_language_of
from springboard.families.mail import send_email


def _when(course, starts: datetime) -> str:
    local = starts.astimezone(schedule.location_zone(course))
    day, time = date_format(local.date(), "DATE_FORMAT"), date_format(local, "TIME_FORMAT")
    return f"{day} · {time}"


def _expiry(at: datetime) -> str:
    return date_format(at.date(), "DATE_FORMAT")


def credit_sentence(credit_expires_at: datetime | None) -> str:
    """What an absence gives, in words (kept on its request for the queue)."""
    if credit_expires_at is None:
        return ""
    return _("A makeup credit until %(day)s.") % {"day": _expiry(credit_expires_at)}


def makeup_sentence(credit) -> str:
    return _("Uses the makeup credit of the absence on %(day)s.") % {
        "day": date_format(credit.date, "DATE_FORMAT")
    }


def _page_url(organization, name: str) -> str:
    path = reverse(f"portal:{name}", kwargs={"account": organization.account_name})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _send(family, *, subject: str, lines: list[str], note: str = "", page: str) -> None:
    context = {
        "organization": family.organization,
        "subject": subject,
        "lines": [line for line in lines if line],
        "note": note,
        "url": _page_url(family.organization, page),
    }
    text = render_to_string("attendance/email/notice.txt", context)
    html = render_to_string("attendance/email/notice.html", context)
    to = family.email
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
    )


def _absence_words(absence) -> dict:
    return {
        "name": absence.student.first_name,
        "course": absence.course.name,
        "when": _when(absence.course, absence.starts_at),
    }


def _makeup_words(makeup) -> dict:
    return {
        "name": makeup.student.first_name,
        "course": makeup.course.name,
        "when": _when(makeup.course, makeup.starts_at),
    }


def absence_marked(absence, *, family) -> None:
    with in_language_of(family):
        subject = _("Marked absent: %(name)s, %(course)s, %(when)s") % _absence_words(absence)
        _send(
            family,
            subject=subject,
            lines=[
                _("%(name)s is marked absent from %(course)s on %(when)s.")
                % _absence_words(absence),
                credit_sentence(absence.credit_expires_at),
            ],
            page="account",
        )


def makeup_booked(makeup, *, family) -> None:
    with in_language_of(family):
        subject = _("Makeup booked: %(name)s, %(course)s, %(when)s") % _makeup_words(makeup)
        _send(
            family,
            subject=subject,
            lines=[
                _("%(name)s has a makeup in %(course)s on %(when)s.") % _makeup_words(makeup),
                makeup.course.location.name,
            ],
            page="makeups",
        )


def absence_requested(absence, *, family) -> None:
    with in_language_of(family):
        words = _absence_words(absence)
        what = _("the absence of %(name)s from %(course)s on %(when)s") % words
        _send(
            family,
            subject=_("Request received: %(what)s") % {"what": what},
            lines=[
                _("We received your request: %(what)s.") % {"what": what},
                _("Our staff will decide it, and we will email you then."),
                credit_sentence(absence.credit_expires_at),
            ],
            page="account",
        )


def makeup_requested(makeup, *, family) -> None:
    with in_language_of(family):
        words = _makeup_words(makeup)
        what = _("a makeup for %(name)s in %(course)s on %(when)s") % words
        _send(
            family,
            subject=_("Request received: %(what)s") % {"what": what},
            lines=[
                _("We received your request: %(what)s.") % {"what": what},
                _("Our staff will decide it, and we will email you then."),
                _("The place and the makeup credit are held for it until then."),
            ],
            page="makeups",
        )


def decided(change, row, *, approved: bool) -> None:
    """The staff's decision on a requested absence (`row` an Absence) or makeup (a Makeup)."""
    family = change.family
    is_absence = change.kind == "absence"
    with in_language_of(family):
        words = _absence_words(row) if is_absence else _makeup_words(row)
        if is_absence:
            what = _("the absence of %(name)s from %(course)s on %(when)s") % words
        else:
            what = _("a makeup for %(name)s in %(course)s on %(when)s") % words
        if approved:
            subject = _("Approved: %(what)s") % {"what": what}
            lines = [
                _("Your request is approved: %(what)s.") % {"what": what},
                credit_sentence(row.credit_expires_at) if is_absence else "",
            ]
        else:
            subject = _("Not approved: %(what)s") % {"what": what}
            if is_absence:
                outcome = _("%(name)s is expected in class.") % words
            else:
                outcome = _("The makeup credit is yours to use again.")
            lines = [_("Your request was not approved: %(what)s.") % {"what": what}, outcome]
        _send(
            family,
            subject=subject,
            lines=lines,
            note=change.staff_note,
            page="account" if is_absence else "makeups",
        )

"""The sentences a waiting family reads, shared by the page and its refresh."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from springboard.waitingroom.rules import Standing


def wait_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if seconds < 60:
        return _("less than a minute")
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {
        "count": minutes
    }


def status_text(standing: Standing) -> str:
    if not standing.drawn:
        return _(
            "You are in the waiting room. At the opening everyone here is given a place "
            "by lottery, so arriving earlier or on a faster connection is no advantage."
        )
    if standing.admitted:
        return _("It is your turn: you may book now.")
    return _(
        "Your place in line: %(place)s. Families ahead of you: %(ahead)s. Expected wait: %(wait)s."
    ) % {
        "place": standing.place,
        "ahead": standing.ahead,
        "wait": wait_text(standing.wait_seconds or 0),
    }

"""What the dashboard shows of a family's money and schedule (docs/family-money.md): the
outstanding notice and Coming Up!. Nothing for visitors or logins without a family here."""

from django.utils import timezone

from springboard.billing import balances
from springboard.portal.coming_up import coming_up


def dashboard_money(request) -> dict:
    family = getattr(request, "family", None)
    if family is None or not request.user.is_authenticated:
        return {}
    return {
        "outstanding": balances.balance(family),
        "coming_up": coming_up(family, now=timezone.now()),
    }

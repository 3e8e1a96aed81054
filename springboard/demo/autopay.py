"""Autopay in the demo (issue 13): the Rivera family has autopay on with its Visa ••••4242 —
last week's charge was paid by autopay and next month's demo tuition (due in a week) will be;
the Chen family's autopay card is declined: the first try was yesterday and Payments shows
the decline and the retry tomorrow (the organization's default schedule, +2 and +5 days).

Every date is relative to `now`; rows are found by natural keys (a charge's description, an
attempt's charge and number), so loading twice the same day changes nothing."""

from datetime import datetime, timedelta
from decimal import Decimal

from springboard.billing import autopay, services
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.billing.models import Charge, ChargeKind
from springboard.billing.payment_methods import save_payment_method, set_autopay
from springboard.demo.dates import local_today
from springboard.demo.money import FAMILY_EMAIL
from springboard.families.models import Family

CHEN_EMAIL = "twogyms@demo.example"
DECLINED_CARD = "4000000000000002"


def _charge(organization, family, description: str, amount: str, due, now) -> Charge:
    found = Charge.objects.filter(family=family, description=description).first()
    return found or services.post_charge(
        organization=organization,
        family=family,
        amount=Decimal(amount),
        description=description,
        kind=ChargeKind.FEE,
        due_date=due,
        now=now,
    )


def _try_once(charge: Charge, *, at: datetime, today) -> None:
    autopay.attempt_charge(charge, number=1, is_last=False, now=at, today=today)


def load_demo_autopay(organization, *, now: datetime) -> None:
    today = local_today(now, organization.time_zone)
    rivera = Family.objects.filter(organization=organization, email=FAMILY_EMAIL).first()
    if rivera is not None and (method := rivera.payment_methods.first()) is not None:
        if not method.autopay:
            set_autopay(organization=organization, family=rivera, method=method, autopay=True)
        week_ago = now - timedelta(days=7)
        paid = _charge(
            organization,
            rivera,
            "Open gym pass (demo, paid by autopay)",
            "15.00",
            week_ago.date(),
            week_ago,
        )
        _try_once(paid, at=week_ago, today=local_today(week_ago, organization.time_zone))

    chen = Family.objects.filter(organization=organization, email=CHEN_EMAIL).first()
    if chen is None:
        return
    if not chen.payment_methods.exists():
        token = (
            SandboxGateway(organization)
            .tokenise(
                kind="card",
                fields={
                    "number": DECLINED_CARD,
                    "exp_month": f"{today.month:02d}",
                    "exp_year": str(today.year + 3),
                    "cvc": "123",
                },
                idempotency_key=f"demo-declined-card-{chen.pk}",
                today=today,
            )
            .token
        )
        save_payment_method(
            organization=organization, family=chen, token=token, make_default=True, autopay=True
        )
    yesterday = now - timedelta(days=1)
    owed = _charge(
        organization,
        chen,
        "Tuition, Lily (demo, autopay declined)",
        "70.00",
        local_today(yesterday, organization.time_zone),
        yesterday,
    )
    _try_once(owed, at=yesterday, today=local_today(yesterday, organization.time_zone))

"""Autopay: collect a family's charges on their due dates with its autopay card or account
(docs/billing.md, "Autopay").

- Who: a family with a saved method marked for autopay (at checkout or in Payment methods).
  The method used is the default one when it is marked, else the newest marked one.
- When: attempt 1 on the charge's due date (or the first housekeeping tick after it); after a
  decline, retries on the organization's schedule counted from attempt 1 (default +2 and +5
  days); after the last, autopay stops for that charge and the family's outstanding notice
  shows it. A charge no longer open (paid by hand, credited, voided) is never tried.
- No autopay method (switched off, removed): no attempt; Payments says autopay is off. An
  expired card: no gateway call; the attempt is recorded as "not tried" with a notice email
  (so the schedule goes on: a card updated before the next retry is used then).
- Never twice: each attempt is recorded (the intent, status pending) and claims the charge
  under the family's ledger lock before the gateway is called, outside any transaction, with
  the key `autopay-charge-<id>-attempt-<n>`; the answer is posted after. The family's own pay
  form claims the charges the same way (billing/claims.py), so a retry and a hand payment at
  the same moment charge once: the second is refused before it reaches the gateway. An
  attempt left pending by a crash is completed on a later tick with the same key (the gateway
  returns its first result).
"""

import contextlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.billing import balances, claims
from springboard.billing.autopay_models import (
    CLAIM_MINUTES,
    AttemptStatus,
    AutopayAttempt,
    billing_settings,
)
from springboard.billing.errors import GatewayUnavailable, LedgerError, PaymentDeclined
from springboard.billing.gateways.base import Gateway
from springboard.billing.models import Charge, SavedPaymentMethod
from springboard.billing.services import allocate_oldest_first, lock_family, record_payment_once
from springboard.core.i18n import site_text
from springboard.families.language import in_language_of
from springboard.families.mail import send_after_commit
from springboard.tenancy.models import Organization


# --- reading: which method, and what the family sees -----------------------------------------
def autopay_method(methods) -> SavedPaymentMethod | None:
    """The method autopay uses: the default when marked for autopay, else the newest marked."""
    marked = [m for m in methods if m.autopay]
    if not marked:
        return None
    return sorted(marked, key=lambda m: (not m.is_default, -m.created_at.timestamp(), -m.pk))[0]


def has_expired(method: SavedPaymentMethod, day: date) -> bool:
    """A card works through the last day of its expiry month."""
    if not method.exp_month or not method.exp_year:
        return False
    return (method.exp_year, method.exp_month) < (day.year, day.month)


def local_today(organization, now: datetime) -> date:
    return timezone.localtime(now, zoneinfo.ZoneInfo(organization.time_zone)).date()


def retry_dates(first_try: date, retries: list[int]) -> list[date]:
    return [first_try + timedelta(days=days) for days in retries]


@dataclass
class AutopayStatus:
    """What Payments shows: upcoming charges, the method autopay will use, past declines."""

    method: SavedPaymentMethod | None
    method_expires_before: date | None  # the next due date it will not reach, if any
    upcoming: list = field(default_factory=list)  # open charges due after today
    declines: list = field(default_factory=list)  # declined / not-tried attempts, newest first
    paid: list = field(default_factory=list)  # attempts that paid, newest first (five)
    next_retry: dict = field(default_factory=dict)  # charge id → date of the next retry
    given_up: set = field(default_factory=set)  # charge ids autopay stopped trying

    @property
    def is_on(self) -> bool:
        return self.method is not None

    def note_for(self, charge) -> str:
        """What autopay will do (or did) about one outstanding charge, for its line."""
        if charge.pk in self.given_up:
            return "given_up"
        if charge.pk in self.next_retry:
            return "retry"
        return "on" if self.is_on else ""


def status_for(family, *, today: date, methods=None) -> AutopayStatus:
    """Four queries: methods, upcoming charges, attempts, settings."""
    methods = list(family.payment_methods.all()) if methods is None else methods
    method = autopay_method(methods)
    upcoming = list(
        balances.outstanding_charges(family).filter(due_date__gt=today).select_related("student")
    )
    expires_before = None
    if method is not None:
        late = [c.due_date for c in upcoming if has_expired(method, c.due_date)]
        expires_before = min(late) if late else None
    attempts = list(
        AutopayAttempt.objects.filter(family=family)
        .select_related("charge")
        .order_by("-created_at", "-id")[:50]
    )
    retries = billing_settings(family.organization).retries
    zone = zoneinfo.ZoneInfo(family.organization.time_zone)
    status = AutopayStatus(method=method, method_expires_before=expires_before, upcoming=upcoming)
    by_charge = defaultdict(list)
    for attempt in attempts:
        by_charge[attempt.charge_id].append(attempt)
        if attempt.status in (AttemptStatus.DECLINED, AttemptStatus.SKIPPED, AttemptStatus.ERROR):
            status.declines.append(attempt)
        elif attempt.status == AttemptStatus.APPROVED and len(status.paid) < 5:
            status.paid.append(attempt)
    for charge_id, tried in by_charge.items():
        tried.sort(key=lambda a: a.number)
        if tried[-1].status == AttemptStatus.APPROVED:
            continue
        if tried[-1].is_last:
            status.given_up.add(charge_id)
            continue
        dates = retry_dates(tried[0].tried_on(zone), retries)
        if len(tried) <= len(dates):
            status.next_retry[charge_id] = dates[len(tried) - 1]
    return status


# --- collecting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    charge: Charge
    number: int  # the attempt to make
    resume: AutopayAttempt | None = None  # a pending attempt to complete (a crash)


def due_attempts(organization, *, today: date, now: datetime) -> list[Due]:
    """The attempts to make today: three queries for the whole organization."""
    retries = billing_settings(organization).retries
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    charges = list(
        balances.with_open_amount(
            Charge.objects.filter(
                organization=organization,
                void__isnull=True,
                due_date__lte=today,
                family__payment_methods__autopay=True,
            ).distinct()
        )
        .filter(open_amount__gt=0)
        .select_related("family__organization")
        .order_by("due_date", "id")
    )
    attempts = defaultdict(list)
    for attempt in AutopayAttempt.objects.filter(charge__in=[c.pk for c in charges]).order_by(
        "number"
    ):
        attempts[attempt.charge_id].append(attempt)
    due = []
    stale = now - timedelta(minutes=CLAIM_MINUTES)
    for charge in charges:
        tried = attempts[charge.pk]
        if not tried:
            due.append(Due(charge=charge, number=1))
            continue
        last = tried[-1]
        if last.status == AttemptStatus.PENDING:
            if last.created_at <= stale:
                due.append(Due(charge=charge, number=last.number, resume=last))
            continue
        if last.status == AttemptStatus.APPROVED or last.is_last:
            continue
        dates = retry_dates(tried[0].tried_on(zone), retries)
        if len(tried) <= len(dates) and today >= dates[len(tried) - 1]:
            due.append(Due(charge=charge, number=len(tried) + 1))
    return due


def collect(organization, *, now: datetime, gateway: Gateway | None = None) -> list[AutopayAttempt]:
    """Make today's attempts for one organization (call outside any transaction)."""
    today = local_today(organization, now)
    retries = billing_settings(organization).retries
    made = []
    for due in due_attempts(organization, today=today, now=now):
        attempt = attempt_charge(
            due.charge,
            number=due.number,
            is_last=due.number > len(retries),
            now=now,
            today=today,
            gateway=gateway,
            resume=due.resume,
        )
        if attempt is not None:
            made.append(attempt)
    return made


def attempt_key(charge: Charge, number: int) -> str:
    return f"autopay-charge-{charge.pk}-attempt-{number}"


def _record_intent(charge, *, number, is_last, now, today) -> AutopayAttempt | None:
    """Step 1, a short transaction under the family's ledger lock: the charge is still owed,
    nobody else is paying it; record the attempt and claim the charge. None: nothing to do."""
    organization, family = charge.organization, charge.family
    key = attempt_key(charge, number)
    with transaction.atomic():
        lock_family(organization, family)
        open_amount = balances.charge_open_amount(charge)
        if open_amount <= 0:
            return None
        if AutopayAttempt.objects.filter(charge=charge, number=number).exists():
            return None  # another worker made this attempt
        method = autopay_method(list(family.payment_methods.all()))
        if method is None:
            return None  # autopay switched off or its method removed: no attempt
        attempt = AutopayAttempt(
            organization=organization,
            family=family,
            charge=charge,
            number=number,
            amount=open_amount,
            method_label=method.label[:60],
            idempotency_key=key,
            created_at=now,
            is_last=is_last,
        )
        if has_expired(method, today):
            attempt.status = AttemptStatus.SKIPPED
            attempt.message = _("The card on file for autopay has expired.")[:200]
            attempt.answered_at = now
            attempt.save()
            _send_notice(attempt, template="autopay_card_expired")
            return attempt
        try:
            claims.claim(organization=organization, charge_ids=[charge.pk], key=key, now=now)
        except claims.ChargeBeingPaid:
            return None  # the family is paying it by hand right now; look again next tick
        attempt.save()
        attempt.token = method.token  # for step 2 only; never stored on the attempt
        return attempt


def attempt_charge(
    charge: Charge,
    *,
    number: int,
    is_last: bool,
    now: datetime,
    today: date,
    gateway: Gateway | None = None,
    resume: AutopayAttempt | None = None,
) -> AutopayAttempt | None:
    """One attempt: intent (locked), the gateway (outside any transaction), the answer."""
    organization, family = charge.organization, charge.family
    if resume is None:
        attempt = _record_intent(charge, number=number, is_last=is_last, now=now, today=today)
        if attempt is None or attempt.status != AttemptStatus.PENDING:
            return attempt
        token = attempt.token
    else:
        attempt = resume
        method = autopay_method(list(family.payment_methods.all()))
        token = method.token if method else ""
    payment, outcome, message = None, AttemptStatus.ERROR, ""
    try:
        payment, _recorded = record_payment_once(
            organization=organization,
            family=family,
            amount=attempt.amount,
            token=token,
            idempotency_key=attempt.idempotency_key,
            now=now,
            gateway=gateway,
            description=site_text(gettext_lazy("Autopay: %(charge)s"), charge=charge.description),
        )
        outcome = AttemptStatus.APPROVED
    except PaymentDeclined as error:
        payment, outcome, message = error.payment, AttemptStatus.DECLINED, error.message
    except (GatewayUnavailable, LedgerError) as error:
        message = error.message
    return _record_answer(attempt, payment=payment, outcome=outcome, message=message, now=now)


def _record_answer(attempt, *, payment, outcome, message, now) -> AutopayAttempt:
    """Step 3, under the lock: apply the payment to the charge (whatever cannot be applied
    stays as credit), post the outcome, release the claim, tell the family."""
    organization, family = attempt.organization, attempt.family
    with transaction.atomic():
        lock_family(organization, family)
        attempt = AutopayAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status != AttemptStatus.PENDING:
            return attempt  # answered by a concurrent completion
        if payment is not None and outcome == AttemptStatus.APPROVED:
            with contextlib.suppress(LedgerError):  # what cannot be applied stays as credit
                allocate_oldest_first(
                    organization=organization, payment=payment, charges=[attempt.charge], now=now
                )
        attempt.status = outcome
        attempt.payment = payment if payment is not None and payment.pk else None
        attempt.message = (message or "")[:200]
        attempt.answered_at = now
        attempt.save()
        claims.release(organization=organization, key=attempt.idempotency_key, now=now)
        if outcome == AttemptStatus.APPROVED:
            _send_receipt(attempt)
        elif outcome == AttemptStatus.DECLINED:
            _send_notice(attempt, template="autopay_declined")
    return attempt


def payments_url(organization) -> str:
    path = reverse("portal:payments", kwargs={"account": organization.account_name})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _send_notice(attempt: AutopayAttempt, *, template: str) -> None:
    with in_language_of(attempt.family):
        organization = attempt.organization
        retries = billing_settings(organization).retries
        zone = zoneinfo.ZoneInfo(organization.time_zone)
        first = (
            AutopayAttempt.objects.filter(charge=attempt.charge, number=1).first() or attempt
        ).tried_on(zone)
        dates = retry_dates(first, retries)
        next_try = (
            None if attempt.is_last or attempt.number > len(dates) else dates[attempt.number - 1]
        )
        subject = (
            _("Your autopay payment to %(org)s was declined")
            if template == "autopay_declined"
            else _("Your autopay card for %(org)s has expired")
        ) % {"org": organization.name}
        send_after_commit(
            template,
            to=attempt.family.email,
            subject=subject,
            context={
                "organization": organization,
                "family": attempt.family,
                "attempt": attempt,
                "charge": attempt.charge,
                "next_try": next_try,
                "payments_url": payments_url(organization),
            },
        )


def _send_receipt(attempt: AutopayAttempt) -> None:
    with in_language_of(attempt.family):
        charge = attempt.charge
        charge.open_amount = attempt.amount
        send_after_commit(
            "payment_receipt",
            to=attempt.family.email,
            subject=_("Your payment to %(org)s") % {"org": attempt.organization.name},
            context={
                "organization": attempt.organization,
                "family": attempt.family,
                "payment": attempt.payment,
                "charges": [charge],
                "amount": attempt.amount,
            },
        )


def collect_every_organization(now: datetime, gateway: Gateway | None = None) -> int:
    made = 0
    for organization in Organization.objects.filter(is_active=True).order_by("pk"):
        made += len(collect(organization, now=now, gateway=gateway))
    return made

"""Families' changes of plans with the rules' approval step (docs/booking.md, "Requests and
the activity queue"; booking.drops and booking.transfers decide when and which seat,
tuition.drops the drop's money).

- `ask_to_drop`: the rules say automatic → the drop happens now (tuition.drops.drop); they
  say request → a pending ChangeRequest (kind drop) with the effective day and the money
  consequence the family saw. Two clicks → one request (a unique constraint on an
  enrollment's open change; the second finds the first).
- `hold_transfer` / `confirm_transfer`: the new seat is held (booking.transfers.hold); the
  confirmation applies it at once or turns the hold into a pending request (still holding
  the seat, so approval cannot find it gone).
- `approve` / `deny`: staff decide a pending request with a note; approving applies the same
  service an automatic change uses, with the day the family asked for. The family is
  emailed either way (in the language it asked in) and sees the status in My Account.

A transfer's money (`quote_transfer`): the old class's months after the effective day are
voided (as a drop's), and the price difference is what the pricing service says the new
class costs from that day (`checkout.pricing.quote`, the one implementation) minus the old
class's unused part (the drop's one rule, `tuition.drops.quote`: of the month, or of the
term) — charged when higher; credited, refunded to the original payment or kept, by the
rules, when lower. Months after it are the billing run's, at the new class's price.

A transfer request waiting for staff holds the new seat for the rules' days
(`transfer_request_days`); then `expire_transfer_requests` (housekeeping, or Approve too
late) expires it, emails the family and offers the seat.
"""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from springboard.attendance import decisions as attendance_decisions
from springboard.billing import services
from springboard.billing.errors import AlreadyVoided
from springboard.billing.models import Charge, ChargeKind
from springboard.booking import drops, transfers, waitlist
from springboard.booking.change_models import ATTENDANCE_KINDS
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    DropApproval,
    Enrollment,
    PriceDifference,
    drop_rules,
)
from springboard.catalog import schedule
from springboard.catalog.models import Course, TuitionPeriod
from springboard.checkout import pricing
from springboard.core.i18n import site_text
from springboard.core.money import ZERO
from springboard.tuition import change_mail, refunds
from springboard.tuition import drops as drop_money


class AlreadyDecided(BookingError):
    status = 409

    def __init__(self):
        super().__init__(_("This request is already decided."))


class TransferWaiting(drops.DropError):
    """A Drop while the enrollment's transfer request waits for staff: refused, nothing
    changes (the family withdraws or waits for the transfer's decision first)."""

    status = 409

    def __init__(self, change: ChangeRequest):
        super().__init__(
            _(
                "Your request to transfer %(name)s to %(course)s is waiting for approval, so "
                "this class cannot be dropped now. We will email you when the transfer is "
                "decided; you can drop the class after that."
            )
            % {"name": change.student.first_name, "course": change.to_course.name}
        )


# --- drops -------------------------------------------------------------------------------
@dataclass
class Asked:
    """What a family's Drop / Transfer did: `change` (the request, or the done transfer's
    row), `money` (a drop's DropMoney), `done` (applied now, not waiting for staff)."""

    done: bool
    change: ChangeRequest | None = None
    money: object = None


def drop_summary(money: drop_money.DropMoney, currency_format) -> str:
    """The money consequence in words, as the family read it (kept on the request)."""
    parts = [_("No more tuition is charged after the drop takes effect.")]
    if money.voided:
        parts.append(
            _("Tuition already posted for later months (%(amount)s) is cancelled.")
            % {"amount": currency_format(money.voided_total)}
        )
    if money.unused:
        if money.of_term:
            sentences = {
                "credit": _("The unused part of the term (%(amount)s) is credited."),
                "refund": _(
                    "The unused part of the term (%(amount)s) is refunded to the original payment."
                ),
                "keep": _("The unused part of the term (%(amount)s) is not refunded."),
            }
        else:
            sentences = {
                "credit": _("The unused part of this month (%(amount)s) is credited."),
                "refund": _(
                    "The unused part of this month (%(amount)s) is refunded to the original "
                    "payment."
                ),
                "keep": _("The unused part of this month (%(amount)s) is not refunded."),
            }
        mode = "credit" if money.credited else "refund" if money.refunded else "keep"
        parts.append(sentences[mode] % {"amount": currency_format(money.unused)})
    return " ".join(str(p) for p in parts)


def _money_text(organization):
    from springboard.core.money import format_money

    return lambda value: format_money(value, currency=organization.currency)


def _file(*, family, enrollment, kind, now, **fields) -> tuple[ChangeRequest, bool]:
    """A pending request and True, or the open one a second click finds and False."""
    ChangeRequest.objects.filter(enrollment=enrollment, status=ChangeStatus.HELD).exclude(
        kind=kind
    ).update(status=ChangeStatus.LAPSED)
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                organization=family.organization,
                family=family,
                student=enrollment.student,
                enrollment=enrollment,
                kind=kind,
                status=ChangeStatus.PENDING,
                language=translation.get_language() or "",
                created_at=now,
                **fields,
            )
            return change, True
    except IntegrityError:
        found = ChangeRequest.objects.get(
            enrollment=enrollment, status__in=[ChangeStatus.HELD, ChangeStatus.PENDING]
        )
        return found, False


def pending_of(enrollment: Enrollment) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(enrollment=enrollment, status=ChangeStatus.PENDING).first()


def ask_to_drop(enrollment: Enrollment, *, family, now: datetime, actor=None) -> Asked:
    """A family's Drop: applied now, or a pending request (see the module's doc)."""
    expire_transfer_requests(now, enrollment=enrollment)  # one past its time waits no more
    waiting = pending_of(enrollment)
    if waiting is not None and waiting.family_id == family.pk:
        if waiting.kind == ChangeKind.TRANSFER:
            raise TransferWaiting(waiting)
        return Asked(done=False, change=waiting)
    current = Enrollment.objects.get(pk=enrollment.pk)
    if current.status != "active" and current.student.family_id == family.pk:
        return Asked(done=True)  # a second click after an automatic drop
    plan = drops.plan_drop(enrollment, family=family, now=now)
    if not plan.needs_approval:
        money, _changed = drop_money.drop(enrollment, family=family, now=now, actor=actor)
        return Asked(done=True, money=money)
    money = drop_money.quote(plan)
    change, filed = _file(
        family=family,
        enrollment=enrollment,
        kind=ChangeKind.DROP,
        now=now,
        effective_on=plan.effective_on,
        money_summary=drop_summary(money, _money_text(family.organization)),
    )
    if not filed and change.kind == ChangeKind.TRANSFER and change.status == ChangeStatus.PENDING:
        raise TransferWaiting(change)  # filed by another tab meanwhile
    if filed:
        change_mail.send_received(change)
    return Asked(done=False, change=change, money=money)


# --- transfers ---------------------------------------------------------------------------
def transfer_plan(
    enrollment: Enrollment, *, family, now: datetime, on: date | None = None, online=True
) -> drops.DropPlan:
    rules = drop_rules(family.organization, enrollment.course.program_id)
    return drops.plan_drop(
        enrollment, family=family, now=now, on=on, notice=rules.transfer_notice, online=online
    )


@dataclass
class TransferMoney:
    plan: drops.DropPlan
    course: Course
    old_value: Decimal  # the old class from the effective day (what is not used)
    new_value: Decimal  # the new class from the effective day, as the pricing service says
    lower: str  # a lower price is credited, refunded or kept (PriceDifference)
    voided: list[Charge] = field(default_factory=list)
    unused_of: list[tuple[Charge, Decimal]] = field(default_factory=list)  # the old class's

    @property
    def difference(self) -> Decimal:
        return self.new_value - self.old_value

    @property
    def charged(self) -> Decimal:
        return max(self.difference, ZERO)

    @property
    def credited(self) -> Decimal:
        return -min(self.difference, ZERO) if self.lower == PriceDifference.SETTLE else ZERO

    @property
    def refunded(self) -> Decimal:
        """Refunded to the payments of the old class's unused part (never more than it)."""
        if self.lower != PriceDifference.REFUND:
            return ZERO
        return min(-min(self.difference, ZERO), self.old_value)


def _priced_from(course: Course, student, family, *, on: date, now: datetime) -> Decimal:
    """What the pricing service charges for `course` from `on` (tuition and its discounts;
    a registration fee is not part of a transfer)."""
    try:
        quote = pricing.quote(
            [pricing.CourseItem(course=course, student=student)],
            organization=family.organization,
            family=family,
            today=on,
            now=now,
        )
    except pricing.PricingError:
        return ZERO
    return sum(
        (line.amount for line in quote.lines if line.kind != ChargeKind.REGISTRATION_FEE), ZERO
    )


def _billed_by_checkout_month(course: Course, *, on: date, now: datetime) -> bool:
    """A monthly class's effective month is the one its new enrollment (created now) is
    not billed for by the run (the run bills the months after `first_month` of today)."""
    closures = schedule.closures_for(course.organization, location_ids=[course.location_id])
    today = now.astimezone(schedule.location_zone(course)).date()
    try:
        return pricing.first_month(course, closures, today=on) == pricing.first_month(
            course, closures, today=today
        )
    except pricing.PricingError:
        return False


def quote_transfer(plan: drops.DropPlan, course: Course, *, now: datetime) -> TransferMoney:
    enrollment = plan.enrollment
    family, student, on = enrollment.student.family, enrollment.student, plan.effective_on
    dropping = drop_money.quote(plan)
    # The old class's unused part: the drop's one rule (a month's or a term's meetings from
    # the effective day, pro rata of what their charge covered).
    old_value = dropping.unused
    if course.tuition_period == TuitionPeriod.MONTH and not _billed_by_checkout_month(
        course, on=on, now=now
    ):
        new_value = ZERO  # the run bills that month at the new price
    else:
        new_value = _priced_from(course, student, family, on=on, now=now)
    return TransferMoney(
        plan=plan,
        course=course,
        old_value=old_value,
        new_value=new_value,
        lower=plan.rules.transfer_difference,
        voided=dropping.voided,
        unused_of=dropping.unused_of,
    )


def transfer_summary(money: TransferMoney, currency_format) -> str:
    if money.charged:
        return _("The price difference (%(amount)s) is charged.") % {
            "amount": currency_format(money.charged)
        }
    if money.credited:
        return _("The price difference (%(amount)s) is credited to your account.") % {
            "amount": currency_format(money.credited)
        }
    if money.refunded:
        return _("The price difference (%(amount)s) is refunded to the original payment.") % {
            "amount": currency_format(money.refunded)
        }
    if money.difference < 0:
        return _("The new class costs less; the difference is not refunded.")
    return _("The price stays the same.")


def hold_transfer(enrollment, course, *, family, now: datetime) -> ChangeRequest:
    expire_transfer_requests(now, enrollment=enrollment)  # one past its time waits no more
    if pending_of(enrollment) is not None:
        raise transfers.TransferRefused(
            _("A change of this class is already waiting for approval.")
        )
    plan = transfer_plan(enrollment, family=family, now=now)
    return transfers.hold(family=family, plan=plan, course=course, now=now)


def _apply_transfer_money(change, money: TransferMoney, new: Enrollment, *, now, actor) -> None:
    organization = change.organization
    family = change.family
    for charge in money.voided:
        with suppress(AlreadyVoided):
            services.void_charge(
                organization=organization,
                charge=charge,
                reason=site_text(gettext_lazy("Class transferred: it ends before this month.")),
                now=now,
                actor=actor,
            )
    description = site_text(
        gettext_lazy("Transfer to %(course)s for %(name)s: the price difference"),
        course=money.course.name,
        name=change.student.first_name,
    )
    if money.charged:
        services.post_charge(
            organization=organization,
            family=family,
            amount=money.charged,
            description=description,
            kind=ChargeKind.TUITION,
            due_date=now.astimezone(schedule.location_zone(money.course)).date(),
            now=now,
            actor=actor,
            student=change.student,
            subject=new,
            idempotency_key=f"transfer-difference-{change.pk}",
        )
    elif money.credited:
        services.post_credit(
            organization=organization,
            family=family,
            amount=money.credited,
            reason=description,
            now=now,
            actor=actor,
            idempotency_key=f"transfer-credit-{change.pk}",
        )
    elif money.refunded:
        # The old class's unused part, charge by charge, through the drop's refund sequence
        # (void, the used part posted anew, the rest refunded per payment; keyed, so a
        # retry or the housekeeping job completes an unanswered one once).
        left = money.refunded
        for charge, part in money.unused_of:
            amount = min(part, left)
            if amount <= 0:
                break
            refunds.refund_unused(
                organization=organization,
                enrollment=money.plan.enrollment,
                charge=charge,
                unused=amount,
                now=now,
                actor=actor,
            )
            left -= amount


def _apply_transfer(change, plan, *, now, actor, to_status) -> Enrollment:
    money = quote_transfer(plan, change.to_course, now=now)
    new = transfers.move(change, plan, now=now, to_status=to_status)
    _apply_transfer_money(change, money, new, now=now, actor=actor)
    if plan.effective_at <= now:
        with suppress(BookingBusy):  # the next housekeeping run offers it
            waitlist.offer_seats(plan.enrollment.course, now=now)
    return new


def confirm_transfer(change: ChangeRequest, *, family, now: datetime, actor=None) -> Asked:
    """The family confirms the held transfer: applied now, or sent to staff."""
    if change.family_id != family.pk or change.kind != ChangeKind.TRANSFER:
        raise drops.NotDroppable(_("That is not your family's change."))
    if change.status == ChangeStatus.PENDING:
        return Asked(done=False, change=change)  # a second click
    if change.status != ChangeStatus.HELD:
        raise AlreadyDecided()
    enrollment = change.enrollment
    plan = transfer_plan(enrollment, family=family, now=now, on=change.effective_on)
    if plan.rules.transfer_approval == DropApproval.REQUEST:
        if change.hold_expires_at <= now:
            raise transfers.TransferRefused(
                _("The seat was held for you for a limited time; choose the class again.")
            )
        money = quote_transfer(plan, change.to_course, now=now)
        updated = ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.HELD).update(
            status=ChangeStatus.PENDING,
            created_at=now,
            # The seat stays held while staff decide, for the rules' days; then it expires.
            hold_expires_at=now + timedelta(days=plan.rules.transfer_request_days),
            language=translation.get_language() or "",
            price_difference=money.difference,
            money_summary=transfer_summary(money, _money_text(family.organization)),
        )
        change.refresh_from_db()
        if not updated and change.status != ChangeStatus.PENDING:
            raise AlreadyDecided()
        if updated:  # this click sent it (a concurrent second one finds it sent)
            change_mail.send_received(change)
        return Asked(done=False, change=change)
    _apply_transfer(change, plan, now=now, actor=actor, to_status=ChangeStatus.DONE)
    change.refresh_from_db()
    return Asked(done=True, change=change)


# --- the activity queue: staff decide ----------------------------------------------------
def approve(change: ChangeRequest, *, organization, note: str, now: datetime, actor) -> None:
    """Apply a pending request as the family asked (its effective day; past: now)."""
    if change.organization_id != organization.pk:
        raise drops.NotDroppable(_("That request is not this organization's."))
    if change.kind in ATTENDANCE_KINDS:  # absences and makeups: attendance decides
        attendance_decisions.approve(change, note=note, now=now, actor=actor)
        return
    change = ChangeRequest.objects.select_related(
        "enrollment__course__location", "family__organization", "student", "to_course"
    ).get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise AlreadyDecided()
    family, enrollment = change.family, change.enrollment
    expires = change.hold_expires_at if change.kind == ChangeKind.TRANSFER else None
    if expires is not None and expires <= now:  # too late: the seat is no longer held
        expire_transfer_requests(now, pk=change.pk)
        raise transfers.TransferExpired()
    if change.kind == ChangeKind.TRANSFER:
        plan = transfer_plan(
            enrollment, family=family, now=now, on=change.effective_on, online=False
        )
        _apply_transfer(change, plan, now=now, actor=actor, to_status=ChangeStatus.APPROVED)
    else:
        plan = drops.plan_drop(
            enrollment, family=family, now=now, on=change.effective_on, online=False
        )
        if not ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.PENDING).update(
            status=ChangeStatus.APPROVED, decided_at=now
        ):
            raise AlreadyDecided()
        drop_money.drop(enrollment, family=family, now=now, actor=actor, plan=plan, approved=True)
    ChangeRequest.objects.filter(pk=change.pk).update(staff_note=note.strip(), decided_by=actor)
    change.refresh_from_db()
    change_mail.send_decision(change)


def deny(change: ChangeRequest, *, organization, note: str, now: datetime, actor) -> None:
    if change.organization_id != organization.pk:
        raise drops.NotDroppable(_("That request is not this organization's."))
    if change.kind in ATTENDANCE_KINDS:
        attendance_decisions.deny(change, note=note, now=now, actor=actor)
        return
    if not ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.PENDING).update(
        status=ChangeStatus.DENIED, decided_at=now, decided_by=actor, staff_note=note.strip()
    ):
        raise AlreadyDecided()
    change.refresh_from_db()
    change_mail.send_decision(change)


def expire_transfer_requests(now: datetime, *, pk: int | None = None, enrollment=None) -> int:
    """Housekeeping (`tuition.expire_transfer_requests`) and the queue: transfer requests
    not decided within the rules' days expire — the family is emailed, the seat held for
    them is offered to the new class's waitlist. Returns how many expired."""
    expired = transfers.expire_requests(now, pk=pk, enrollment=enrollment)
    for change in expired:
        change_mail.send_decision(change)
        with suppress(BookingBusy):  # the next housekeeping run offers it
            waitlist.offer_seats(change.to_course, now=now)
    return len(expired)

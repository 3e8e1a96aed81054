"""One pricing service for the cart, checkout, receipts and statements.

Takes explicit inputs (items such as `CourseItem(course, student)`, the family, `today` in the
location's calendar and `now`), never cart rows, and returns a `Quote`: lines that each say
what they are, how they were computed, a quantity and an amount rounded half-up to cents,
and the date they are due (today: due now). The total is the sum of the lines.

Line kinds are pluggable through an explicit registry (`PRICERS`, filled by `@pricer(Item)`):
products and gift cards add their item type and function in a later issue.
"""

import calendar
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from springboard.billing import descriptions
from springboard.billing.autopay_models import billing_settings
from springboard.billing.descriptions import Text, amount, joined, text
from springboard.billing.models import Charge, ChargeKind
from springboard.catalog import schedule
from springboard.catalog.models import (
    Course,
    TuitionPeriod,
)
from springboard.checkout import discounts, rules_cache
from springboard.checkout.models import FeeApplies, FeeFrequency, FeeSchedule
from springboard.checkout.price_lines import (  # noqa: F401 (re-exported: pricing.PriceLine …)
    PRICERS,
    CourseItem,
    EventItem,
    PartyItem,
    PriceLine,
    Pricer,
    PricingContext,
    PricingError,
    ProductItem,
    Quote,
    _line,
    pricer,
)
from springboard.core.money import money
from springboard.shop.services import tax_rate


def quote(
    items: Sequence[Any],
    *,
    organization,
    family,
    today: date,
    now: datetime,
    promo=None,
    closures=None,
) -> Quote:
    """Price items for a family, adding the registration fee when it is due, then the
    discounts (sibling, multi-class, the promo code given: checkout.discounts). `closures`:
    the organization's, when the caller already has them (the billing run, once per run)."""
    context = PricingContext(
        organization=organization,
        family=family,
        today=today,
        now=now,
        closures=schedule.closures_for(organization) if closures is None else closures,
    )
    lines: list[PriceLine] = []
    for index, item in enumerate(items):
        price = PRICERS.get(type(item))
        if price is None:
            raise PricingError(_("This item cannot be bought here."))
        _check_owners(item, organization, family)
        lines.extend(replace(line, item=index) for line in price(item, context))
    lines.extend(registration_fee_lines(items, context))
    # --- discounts: the one hook (checkout/discounts.py; the same for every caller) ---
    lines = discounts.apply_discounts(lines, context=context, promo=promo)
    lines = sales_tax_lines(lines, context)  # after the discounts: tax on what is paid
    return Quote(lines=tuple(lines), today=today)


def _check_owners(item, organization, family) -> None:
    """Every row an item points at belongs to the organization, every student to the family."""
    for value in vars(item).values():
        rows = value if isinstance(value, tuple) else (value,)
        for row in rows:
            owner = getattr(row, "organization_id", None)
            if owner is not None and owner != organization.pk:
                raise PricingError(_("This item is not sold here."))
    student = getattr(item, "student", None)
    if student is not None and student.family_id != family.pk:
        raise PricingError(_("Choose one of your own students."))


def _prorated(rate: Decimal, taken: int, out_of: int) -> Decimal:
    """rate × taken / out_of, rounded half-up once (multiply first: no intermediate rounding)."""
    return money(rate * taken / out_of)


def _who(student) -> str:
    return f" — {student.first_name}" if student is not None else ""


# --- classes -----------------------------------------------------------------------------------
@pricer(CourseItem)
def course_lines(item: CourseItem, context: PricingContext) -> list[PriceLine]:
    """Monthly tuition: the first month, prorated by the meetings left in it (closures do not
    count as meetings). Later months are billed by the monthly run. Term tuition: the whole
    term, prorated by the meetings left once the term has started."""
    course, today = item.course, context.today
    meetings = list(schedule.meeting_dates(course, context.closures))
    remaining = [day for day in meetings if day >= today]
    if not remaining:
        raise PricingError(_("%(course)s has no meetings left.") % {"course": course.name})
    rate = course.tuition
    currency = context.organization.currency
    if course.tuition_period == TuitionPeriod.MONTH:
        month = first_month(course, context.closures, today=today)
        line = month_tuition_line(
            course, item.student, month, context, from_day=today, due_date=today
        )
        return [line] if line is not None else []
    term = course.term.name
    if len(remaining) < len(meetings):
        computation = Text(
            "tuition_term_partial_computation",
            {
                "left": len(remaining),
                "all": len(meetings),
                "term": term,
                "rate": amount(rate, currency),
            },
        )
    else:
        computation = Text(
            "tuition_term_computation",
            {"term": term, "all": len(meetings), "rate": amount(rate, currency)},
        )
    return [
        _line(
            kind=ChargeKind.TUITION,
            description=Text(
                "tuition_term", {"course": course.name, "who": _who(item.student), "term": term}
            ),
            computation=computation,
            quantity=Decimal(len(remaining)),
            amount=_prorated(rate, len(remaining), len(meetings)),
            due_date=today,
            student=item.student,
            subject=course,
        )
    ]


# --- one month of monthly tuition (checkout's first month and the monthly billing run) ---------
@dataclass(frozen=True)
class TuitionMonthItem:
    """One month of a monthly class for a student (the billing run's item). `month` is the
    month's first day; the same rule as checkout's first month prices it."""

    course: Course
    student: Any
    month: date
    due_date: date


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_month(course: Course, closures, *, today: date) -> date:
    """The month checkout charges when enrolling on `today`: that of the first meeting on or
    after it (enrolling after a month's last meeting: the next month). The monthly run bills
    the months after it."""
    first = schedule.first_meeting_on_or_after(course, closures, today)
    if first is None:
        raise PricingError(_("%(course)s has no meetings left.") % {"course": course.name})
    return month_start(first)


def month_tuition_line(
    course: Course, student, month: date, context: PricingContext, *, from_day: date, due_date
) -> PriceLine | None:
    """tuition × meetings of the month on or after `from_day` / meetings in the month (days
    within the term, closures excluded), rounded once; None when the month has no meetings
    left (the term is over)."""
    month = month_start(month)
    in_month = [
        day
        for day in schedule.meeting_dates(course, context.closures, on_or_after=month)
        if (day.year, day.month) == (month.year, month.month)
    ]
    left = [day for day in in_month if day >= from_day]
    if not left:
        return None
    currency = context.organization.currency
    label = descriptions.day(left[0], "F Y")
    return _line(
        kind=ChargeKind.TUITION,
        description=Text(
            "tuition_month", {"course": course.name, "who": _who(student), "month": label}
        ),
        computation=Text(
            "tuition_month_computation",
            {
                "left": len(left),
                "all": len(in_month),
                "month": label,
                "rate": amount(course.tuition, currency),
            },
        ),
        quantity=Decimal(len(left)),
        amount=_prorated(course.tuition, len(left), len(in_month)),
        due_date=due_date,
        student=student,
        subject=course,
    )


@pricer(TuitionMonthItem)
def tuition_month_lines(item: TuitionMonthItem, context: PricingContext) -> list[PriceLine]:
    line = month_tuition_line(
        item.course,
        item.student,
        item.month,
        context,
        from_day=month_start(item.month),
        due_date=item.due_date,
    )
    return [line] if line is not None else []


# --- events ------------------------------------------------------------------------------------
@pricer(EventItem)
def event_lines(item: EventItem, context: PricingContext) -> list[PriceLine]:
    event = item.event
    currency = context.organization.currency
    if item.whole_event:
        if event.price_whole_event is None:
            raise PricingError(_("%(event)s is sold by the day.") % {"event": event.name})
        days = list(event.days.all())
        first_day = min((d.date for d in days), default=context.today)
        line = _line(
            kind=ChargeKind.EVENT,
            description=Text("event_whole", {"event": event.name, "who": _who(item.student)}),
            computation=Text(
                "event_whole_computation",
                {"count": len(days), "price": amount(event.price_whole_event, currency)},
            ),
            quantity=Decimal(1),
            amount=money(event.price_whole_event),
            due_date=context.today,
            student=item.student,
            subject=event,
        )
        return with_deposit(line, event.deposit, first_day, context)
    if not event.single_days_bookable or event.price_per_day is None:
        raise PricingError(_("%(event)s is sold as a whole event.") % {"event": event.name})
    days = sorted({day.pk: day for day in item.days}.values(), key=lambda day: day.date)
    if not days:
        raise PricingError(_("Choose at least one day."))
    if any(day.event_id != event.pk for day in days):
        raise PricingError(_("Choose days of this event."))
    if any(day.date < context.today for day in days):
        raise PricingError(_("One of those days has passed."))
    labels = joined(", ", [descriptions.day(event_day.date, "D j M") for event_day in days])
    line = _line(
        kind=ChargeKind.EVENT,
        description=Text(
            "event_days", {"event": event.name, "who": _who(item.student), "days": labels}
        ),
        computation=Text(
            "event_days_computation",
            {"count": len(days), "price": amount(event.price_per_day, currency)},
        ),
        quantity=Decimal(len(days)),
        amount=money(event.price_per_day * len(days)),
        due_date=context.today,
        student=item.student,
        subject=event,
    )
    return with_deposit(line, event.deposit, days[0].date, context)


def balance_due_date(organization, day: date, today: date) -> date:
    """The rest after a deposit is due the organization's N days before (0: on the day),
    never before today (a party within N days is paid in full at checkout)."""
    days = billing_settings(organization).balance_due_days
    return max(day - timedelta(days=days), today)


def with_deposit(line: PriceLine, deposit, first_day: date, context) -> list[PriceLine]:
    """A camp with a deposit: the deposit due now and the rest due before its first day."""
    deposit = min(money(deposit or 0), line.amount)
    if deposit <= 0 or deposit == line.amount:
        return [line]
    currency = context.organization.currency
    due = balance_due_date(context.organization, first_day, context.today)
    price, kept = amount(line.amount, currency), amount(deposit, currency)
    what = {"text": line.description_text.key, "args": dict(line.description_text.args)}
    return [
        replace(
            line,
            description=Text("event_deposit", {"event": what}).render(),
            description_text=Text("event_deposit", {"event": what}),
            computation=Text(
                "event_deposit_computation", {"price": price, "deposit": kept}
            ).render(),
            computation_text=Text("event_deposit_computation", {"price": price, "deposit": kept}),
            amount=deposit,
        ),
        replace(
            line,
            description=Text("event_balance", {"event": what}).render(),
            description_text=Text("event_balance", {"event": what}),
            computation=Text(
                "event_balance_computation",
                {"price": price, "deposit": kept, "date": descriptions.day(due, "D j M Y")},
            ).render(),
            computation_text=Text(
                "event_balance_computation",
                {"price": price, "deposit": kept, "date": descriptions.day(due, "D j M Y")},
            ),
            amount=line.amount - deposit,
            due_date=due,
        ),
    ]


# --- parties -----------------------------------------------------------------------------------
@pricer(PartyItem)
def party_lines(item: PartyItem, context: PricingContext) -> list[PriceLine]:
    """Package + extra guests + add-ons; the deposit is due now and the rest is a charge due
    on the party date (two lines, so each becomes one charge)."""
    package = item.package
    if item.guests < 1 or item.guests > package.max_guests:
        raise PricingError(_("Choose between 1 and %(max)s guests.") % {"max": package.max_guests})
    if any(add_on.package_id != package.pk for add_on in item.add_ons):
        raise PricingError(_("Choose add-ons of this package."))
    currency = context.organization.currency
    extra = max(0, item.guests - package.guests_included)
    parts = [text("party_package_price", price=amount(package.price, currency))]
    total = money(package.price)
    if extra:
        parts.append(
            text(
                "party_extra_guests",
                count=extra,
                price=amount(package.price_per_extra_guest, currency),
            )
        )
        total += money(package.price_per_extra_guest * extra)
    for add_on in item.add_ons:
        parts.append(text("party_add_on", name=add_on.name, price=amount(add_on.price, currency)))
        total += money(add_on.price)
    breakdown = text("party_breakdown", parts=joined(" + ", parts), total=amount(total, currency))

    zone = zoneinfo.ZoneInfo(item.slot.location.time_zone)
    party_date = item.slot.starts_at.astimezone(zone).date()
    when = descriptions.day(party_date, "D j M Y")
    deposit = min(money(package.deposit), total)
    rest = total - deposit
    # Without a deposit the whole price is due on the party date; with one, the rest is due
    # the organization's N days before it (docs/billing.md, "Deposits").
    rest_due = (
        balance_due_date(context.organization, party_date, context.today)
        if deposit > 0
        else max(party_date, context.today)
    )
    name = text("party", package=package.name, who=_who(item.student), date=when)
    lines = []
    if deposit > 0:
        lines.append(
            _line(
                kind=ChargeKind.PARTY,
                description=Text("party_deposit", {"party": name}),
                computation=Text(
                    "party_deposit_computation",
                    {"breakdown": breakdown, "deposit": amount(deposit, currency)},
                ),
                quantity=Decimal(1),
                amount=deposit,
                due_date=context.today,
                student=item.student,
                subject=package,
            )
        )
    if rest > 0:
        lines.append(
            _line(
                kind=ChargeKind.PARTY,
                description=Text("party_balance", {"party": name}),
                computation=Text(
                    "party_balance_computation",
                    {
                        "breakdown": breakdown,
                        "deposit": amount(deposit, currency),
                        "date": descriptions.day(rest_due, "D j M Y"),
                    },
                ),
                quantity=Decimal(1),
                amount=rest,
                due_date=rest_due,
                student=item.student,
                subject=package,
            )
        )
    return lines


# --- ProShop ---------------------------------------------------------------------------------
@pricer(ProductItem)
def product_lines(item: ProductItem, context: PricingContext) -> list[PriceLine]:
    """The units × the variant's price, rounded half-up (docs/shop.md); its sales tax is
    added by `sales_tax_lines` once the discounts are known."""
    variant, product = item.variant, item.variant.product
    if not item.quantity >= 1:
        raise PricingError(_("Choose a quantity of at least 1."))
    currency = context.organization.currency
    unit = variant.unit_price
    subtotal = money(unit * item.quantity)
    args = {
        "quantity": item.quantity,
        "price": amount(unit, currency),
        "location": item.location.name,
    }
    if item.gift_recipient_name:
        computation = Text(
            "product_gift_computation", {**args, "recipient": item.gift_recipient_name}
        )
    else:
        computation = Text("product_computation", args)
    return [
        _line(
            kind=ChargeKind.PRODUCT,
            description=Text("product", {"product": product.title, "variant": variant.label}),
            computation=computation,
            quantity=Decimal(item.quantity),
            amount=subtotal,
            due_date=context.today,
            subject=product,
        )
    ]


def sales_tax_lines(lines: Sequence[PriceLine], context: PricingContext) -> list[PriceLine]:
    """The lines with a sales-tax line after each taxable product line and its discount
    lines: the product's rate (its own or the organization's) of what is paid for it, the
    line's amount less its discounts, rounded half-up. The one place tax is computed; a
    promo code never reduces the tax line itself (checkout.discounts)."""
    net = {i: line.amount for i, line in enumerate(lines) if line.kind == ChargeKind.PRODUCT}
    if not net:
        return list(lines)
    last = {i: i for i in net}  # the tax line goes after the line's last discount line
    for i, line in enumerate(lines):
        if line.kind == discounts.DISCOUNT and line.discount_of in net:
            net[line.discount_of] += line.amount
            last[line.discount_of] = i
    currency = context.organization.currency
    after: dict[int, list[PriceLine]] = {}
    for i, paid in net.items():
        product = lines[i].subject
        rate = tax_rate(product)
        tax = money(paid * rate / 100)
        if tax <= 0:
            continue
        after.setdefault(last[i], []).append(
            _line(
                kind=ChargeKind.TAX,
                description=Text("sales_tax", {"product": product.title}),
                computation=Text(
                    "sales_tax_computation",
                    {"rate": f"{rate.normalize():f}", "amount": amount(paid, currency)},
                ),
                quantity=Decimal(1),
                amount=tax,
                due_date=context.today,
                subject=product,
                item=lines[i].item,
            )
        )
    result: list[PriceLine] = []
    moved: dict[int, int] = {}  # old index → new (a discount line names its line by index)
    for i, line in enumerate(lines):
        moved[i] = len(result)
        if line.discount_of is not None:
            line = replace(line, discount_of=moved[line.discount_of])
        result.append(line)
        result.extend(after.get(i, ()))
    return result


# --- registration fee --------------------------------------------------------------------------
def _a_year_before(moment: datetime) -> datetime:
    year = moment.year - 1
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


def fee_is_due(schedule_row: FeeSchedule, *, family, student, now: datetime) -> bool:
    """Not due while a counting registration-fee charge exists in the window."""
    earlier = Charge.objects.filter(
        family=family, kind=ChargeKind.REGISTRATION_FEE, void__isnull=True
    )
    if schedule_row.applies == FeeApplies.PER_STUDENT:
        earlier = earlier.filter(student=student)
    last = earlier.aggregate(last=Max("created_at"))["last"]
    return fee_due_after(schedule_row, last, now=now)


def fee_due_after(schedule_row: FeeSchedule, last_posted: datetime | None, *, now) -> bool:
    """The fee rule on the latest counting fee charge (None: never charged): "once" is due
    only if never charged, "every 12 months" also once the last one is a year old. The
    billing run reads the latest charges of every family in one query and asks this."""
    if last_posted is None:
        return True
    return schedule_row.frequency == FeeFrequency.YEARLY and last_posted <= _a_year_before(now)


def registration_fee_lines(items: Iterable[Any], context: PricingContext) -> list[PriceLine]:
    """Added when the quote enrolls someone in a class and the fee is due."""
    students = list({i.student.pk: i.student for i in items if isinstance(i, CourseItem)}.values())
    if not students:
        return []
    schedules = rules_cache.fee_schedules(context.organization)  # the shared cache's, if any
    lines = []
    for row in schedules:
        targets = students if row.applies == FeeApplies.PER_STUDENT else [None]
        for student in targets:
            if not fee_is_due(row, family=context.family, student=student, now=context.now):
                continue
            lines.append(fee_line(row, student, context, due_date=context.today))
    return lines


def fee_line(row: FeeSchedule, student, context: PricingContext, *, due_date: date) -> PriceLine:
    """One registration fee (at checkout, and on its anniversary in the billing run)."""
    how = "every_12_months" if row.frequency == FeeFrequency.YEARLY else "once"
    per = "per_student" if student is not None else "per_family"
    return _line(
        kind=ChargeKind.REGISTRATION_FEE,
        description=Text("fee", {"name": row.name, "who": _who(student)}),
        computation=Text(
            "fee_computation",
            {
                "amount": amount(row.amount, context.organization.currency),
                "per": text(per),
                "how": text(how),
            },
        ),
        quantity=Decimal(1),
        amount=money(row.amount),
        due_date=due_date,
        student=student,
        subject=row,
    )

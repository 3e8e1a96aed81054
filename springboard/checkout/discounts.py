"""Discounts: sibling and multi-class rules, and promo codes (docs/billing.md, "Discounts and
promo codes").

`apply_discounts` is called once, by `pricing.quote()`, so every caller of the pricing service
(the cart preview, checkout, the monthly run) gets the same discounts. It returns the lines
with a **discount line** after each line it reduces: kind `discount`, a negative amount
rounded half-up to cents, `discount_of` = the index of the line it reduces, `subject` = the
rule or promo code. A line is never reduced below zero, so no total goes below zero, and the
total stays the sum of the lines.

Which students and classes count is decided from the family's **active enrollments in the
term** plus the classes being priced, never from the cart alone: a second child enrolled
last month still makes this month's sibling discount. Students are ranked by when they first
enrolled in the term (classes being priced count as enrolled now, ties by id); the first is
at full price, the second and further get the sibling discount. A student's classes in a
term are ranked the same way for the multi-class discount. A rule for one program counts
only that program's classes.

The ledger has positive charges only: `fold()` turns a line and its discount lines into one
charge of the net amount whose "how it was computed" names every discount. Whoever posts
priced lines (checkout's confirm, the monthly run) posts `chargeable(quote.lines)`.

Promo codes: `find_promo_code` checks a typed code (unknown, inactive, outside its dates,
used up, already used by the family, another organization's → one message, "This code can't
be used"). A code counts as used by confirmed orders only; `confirm` checks it again under
the code's row lock, so its total uses are never exceeded.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from springboard.billing import descriptions
from springboard.billing.descriptions import Text, amount, joined, text
from springboard.billing.models import ChargeKind
from springboard.booking.models import Enrollment, EnrollmentStatus
from springboard.catalog.models import Course, Event, PartyPackage
from springboard.checkout import rules_cache
from springboard.checkout.errors import PromoCodeRefused
from springboard.checkout.models import (
    DiscountRule,
    DiscountRuleKind,
    DiscountValue,
    Order,
    OrderStatus,
    PromoApplies,
    PromoCode,
    normalize_code,
)
from springboard.core.money import ZERO, format_money, money

DISCOUNT = "discount"  # the kind of a discount line (never a charge kind: it is folded)
MAX_CODE_LENGTH = 40


# --- promo codes ------------------------------------------------------------------------------
def uses(promo: PromoCode) -> int:
    """Confirmed orders with the code (an order only typed or pending does not count)."""
    return Order.objects.filter(promo_code=promo, status=OrderStatus.CONFIRMED).count()


def check_usable(promo: PromoCode, *, family, today: date) -> None:
    """PromoCodeRefused unless the family may use the code today (call again under the
    code's lock before an order with it is confirmed)."""
    if not promo.is_active or promo.organization_id != family.organization_id:
        raise PromoCodeRefused
    if promo.valid_from and today < promo.valid_from:
        raise PromoCodeRefused
    if promo.valid_until and today > promo.valid_until:
        raise PromoCodeRefused
    confirmed = Order.objects.filter(promo_code=promo, status=OrderStatus.CONFIRMED)
    if promo.max_uses is not None and confirmed.count() >= promo.max_uses:
        raise PromoCodeRefused
    if promo.once_per_family and confirmed.filter(family=family).exists():
        raise PromoCodeRefused


def lock_promo_code(pk: int, *, lock: bool = True) -> PromoCode:
    """The code's row, locked for the rest of the transaction (FOR NO KEY UPDATE: orders
    pointing at it can still be inserted). `lock=False` is for the race test only."""
    rows = PromoCode.objects.filter(pk=pk)
    return (rows.select_for_update(no_key=True) if lock else rows).get()


def lock_and_check(order, *, today: date, lock: bool = True) -> None:
    """Inside confirm's transaction, after the order's lock: the order's code is still
    usable (total uses, once per family, dates), else PromoCodeRefused."""
    promo = lock_promo_code(order.promo_code_id, lock=lock)
    check_usable(promo, family=order.family, today=today)


def find_promo_code(typed: str, *, family, today: date) -> PromoCode:
    """The organization's usable code for what the family typed, or PromoCodeRefused."""
    code = normalize_code(typed or "")
    if not code:
        raise PromoCodeRefused(_("Enter a promo code."))
    if len(code) > MAX_CODE_LENGTH:
        raise PromoCodeRefused
    promo = (
        PromoCode.objects.for_organization(family.organization).filter(code__iexact=code).first()
    )
    if promo is None:
        raise PromoCodeRefused
    check_usable(promo, family=family, today=today)
    return promo


def _promo_applies(promo: PromoCode, line) -> bool:
    # Never a discount line, the sales tax (added after the discounts, on what is paid:
    # pricing.sales_tax_lines) or an eGift Card (money itself: 10% off a card would be 10%
    # of free money).
    if line.kind in (DISCOUNT, ChargeKind.TAX, ChargeKind.GIFT_CARD):
        return False
    subject = line.subject
    if promo.applies_to == PromoApplies.CLASSES and not isinstance(subject, Course):
        return False
    if promo.applies_to == PromoApplies.EVENTS and not isinstance(subject, Event):
        return False
    if promo.applies_to == PromoApplies.PARTIES and not isinstance(subject, PartyPackage):
        return False
    if promo.program_id is not None:
        return isinstance(subject, Course) and subject.program_id == promo.program_id
    return True


# --- who counts in a term ---------------------------------------------------------------------
@dataclass(frozen=True)
class TermClass:
    """One class a student takes (or is being priced for) in a term."""

    student_id: int
    course_id: int
    program_id: int
    since: datetime


def term_classes(family, courses: Sequence[Course], priced, *, now: datetime):
    """{term id: [TermClass]}: the family's active enrollments in the terms of `courses`, plus
    the (student, course) pairs being priced that are not enrolled yet (since = now)."""
    term_ids = {course.term_id for course in courses}
    found: dict[int, list[TermClass]] = defaultdict(list)
    seen = set()
    rows = Enrollment.objects.filter(
        organization=family.organization,
        student__family=family,
        status=EnrollmentStatus.ACTIVE,
        course__term_id__in=term_ids,
    ).values_list("student_id", "course_id", "course__program_id", "course__term_id", "created_at")
    for student_id, course_id, program_id, term_id, since in rows:
        found[term_id].append(TermClass(student_id, course_id, program_id, since))
        seen.add((student_id, course_id))
    for student, course in priced:
        if (student.pk, course.pk) not in seen:
            seen.add((student.pk, course.pk))
            found[course.term_id].append(TermClass(student.pk, course.pk, course.program_id, now))
    return found


def _ranked_students(classes: list[TermClass]) -> list[int]:
    first: dict[int, datetime] = {}
    for one in classes:
        if one.student_id not in first or one.since < first[one.student_id]:
            first[one.student_id] = one.since
    return sorted(first, key=lambda student_id: (first[student_id], student_id))


def _ranked_courses(classes: list[TermClass], student_id: int) -> list[int]:
    own = [one for one in classes if one.student_id == student_id]
    return [one.course_id for one in sorted(own, key=lambda one: (one.since, one.course_id))]


def rule_applies(rule: DiscountRule, classes: list[TermClass], student_id, course: Course) -> bool:
    """Whether the rule takes money off this student's tuition for this course."""
    if rule.program_id is not None:
        if course.program_id != rule.program_id:
            return False
        classes = [one for one in classes if one.program_id == rule.program_id]
    if rule.kind == DiscountRuleKind.SIBLING:
        ranked = _ranked_students(classes)
        return student_id in ranked and ranked.index(student_id) >= 1
    ranked = _ranked_courses(classes, student_id)
    return course.pk in ranked and ranked.index(course.pk) >= 1


def active_rules(organization) -> list[DiscountRule]:
    """The organization's active rules, read once per organization row in memory: a request
    or a billing run that prices many families with the same `organization` object asks the
    database once (a run's queries then do not grow with its families for this)."""
    cached = getattr(organization, "_active_discount_rules", None)
    if cached is None:
        cached = rules_cache.discount_rules(organization)  # the shared cache's, when there is one
        organization._active_discount_rules = cached
    return cached


def rules_may_apply(organization, *, classes: bool) -> bool:
    """Whether a rule could give a discount line (a promo code aside): only a class's tuition
    line gets one, and only from an active rule (apply_discounts). The cart's preview asks
    first, so a cart with no class, or an organization with no rule, is not priced for it."""
    return classes and bool(active_rules(organization))


# --- amounts ----------------------------------------------------------------------------------
def _off(discount, base: Decimal) -> Decimal:
    """What a percent or amount takes off `base`: half-up to cents, never more than base."""
    if base <= 0:
        return ZERO
    if discount.value_type == DiscountValue.PERCENT:
        return min(money(base * discount.value / 100), base)
    return min(money(discount.value), base)


def _value_text(discount, currency: str):
    if discount.value_type == DiscountValue.PERCENT:
        return text("discount_percent", percent=f"{discount.value.normalize():f}")
    return amount(discount.value, currency)


def _discount_line(target, index: int, discount, off: Decimal, name, currency: str):
    who = f" — {target.student.first_name}" if target.student is not None else ""
    description = Text("discount", {"name": name, "who": who})
    computation = Text(
        "discount_computation",
        {
            "value": _value_text(discount, currency),
            "of": target.description_text.as_json()
            if target.description_text
            else target.description[:120],
        },
    )
    return replace(
        target,
        kind=DISCOUNT,
        description=description.render(),
        computation=computation.render(),
        description_text=description,
        computation_text=computation,
        quantity=Decimal(1),
        amount=-off,
        subject=discount,
        discount_of=index,
    )


def apply_discounts(lines: Sequence[Any], *, context, promo: PromoCode | None = None) -> list:
    """The lines with their discount lines (see the module's docstring). `context` is the
    pricing context (organization, family, today, now)."""
    lines = [line for line in lines if line.kind != DISCOUNT]
    currency = context.organization.currency
    offs: list[list[tuple[Any, Decimal, Any]]] = [[] for _line in lines]
    left = [line.amount for line in lines]

    tuition = [
        (index, line)
        for index, line in enumerate(lines)
        if line.kind == ChargeKind.TUITION
        and isinstance(line.subject, Course)
        and line.student is not None
    ]  # free classes too: they count as classes taken, though nothing comes off them
    rules = active_rules(context.organization) if tuition else []
    if rules:
        courses = [line.subject for _index, line in tuition]
        priced = [(line.student, line.subject) for _index, line in tuition]
        by_term = term_classes(context.family, courses, priced, now=context.now)
        for index, line in tuition:
            classes = by_term[line.subject.term_id]
            for kind in (DiscountRuleKind.SIBLING, DiscountRuleKind.MULTI_CLASS):
                fitting = [
                    rule
                    for rule in rules
                    if rule.kind == kind
                    and rule_applies(rule, classes, line.student.pk, line.subject)
                ]
                # The best rule of each kind (two sibling rules never stack), judged on the
                # class's full tuition so a prorated first month and a full later month pick
                # the same rule; taken off the line's own price, never below zero.
                rate = line.subject.tuition
                best = max(fitting, key=lambda r: (_off(r, rate), -r.pk), default=None)
                off = min(_off(best, line.amount), left[index]) if best else ZERO
                if off > 0:
                    offs[index].append((best, off, best.name))
                    left[index] -= off

    if promo is not None:
        eligible = [i for i, line in enumerate(lines) if _promo_applies(promo, line)]
        if not any(left[i] > 0 for i in eligible):
            raise PromoCodeRefused(_("This code does not apply to anything in this order."))
        subtotal = sum(left, ZERO)
        if promo.minimum_order is not None and subtotal < promo.minimum_order:
            raise PromoCodeRefused(
                _("This code needs an order of at least %(amount)s.")
                % {"amount": format_money(promo.minimum_order, currency=currency)}
            )
        name = text("promo_code_name", code=promo.code)  # put into words when read
        budget = promo.value  # an amount off is taken once per order, line by line
        for i in eligible:
            if promo.value_type == DiscountValue.PERCENT:
                off = _off(promo, left[i])
            else:
                off = min(money(budget), left[i])
                budget -= off
            if off > 0:
                offs[i].append((promo, off, name))
                left[i] -= off

    result = []
    for index, line in enumerate(lines):
        result.append(line)
        position = len(result) - 1
        for discount, off, name in offs[index]:
            result.append(_discount_line(line, position, discount, off, name, currency))
    return result


# --- posting: one charge per line, at its net amount -----------------------------------------
def fold(line_amount: Decimal, computation: Text | str, discounts) -> tuple[Decimal, Text | str]:
    """The net amount of a line and its discounts, and its computation naming them. Each of
    `discounts` has an `amount` (negative) and a `description_text` or `description`."""
    if not discounts:
        return line_amount, computation
    net = line_amount + sum((d.amount for d in discounts), ZERO)
    inner = computation.as_json() if isinstance(computation, Text) else computation
    named = [
        text(
            "discount_taken",
            name=d.description_text.as_json() if d.description_text else d.description,
            amount={"money": str(-d.amount), "currency": d.currency},
        )
        for d in discounts
    ]
    return net, Text(
        "discounted_computation", {"computation": inner, "discounts": joined("; ", named)}
    )


@dataclass(frozen=True)
class _Taken:
    amount: Decimal
    description: str
    description_text: Text | None
    currency: str


def chargeable(lines: Sequence[Any], *, currency: str) -> list:
    """Priced lines as the charges they become: each line at its net amount (discount lines
    folded into the line they reduce); lines left at zero stay (a caller posts none for them)."""
    taken: dict[int, list[_Taken]] = defaultdict(list)
    for line in lines:
        if line.kind == DISCOUNT:
            taken[line.discount_of].append(
                _Taken(line.amount, line.description, line.description_text, currency)
            )
    result = []
    for index, line in enumerate(lines):
        if line.kind == DISCOUNT:
            continue
        if not taken[index]:
            result.append(line)
            continue
        net, computation = fold(
            line.amount, line.computation_text or line.computation, taken[index]
        )
        result.append(
            replace(
                line, amount=net, computation=computation.render(), computation_text=computation
            )
        )
    return result


def order_line_charges(
    order_lines: Sequence[Any], *, currency: str
) -> list[tuple[Any, Decimal, dict]]:
    """(order line, net amount, ledger fields) for each line that is not a discount line:
    what `confirm` posts."""
    taken: dict[int, list[_Taken]] = defaultdict(list)
    for line in order_lines:
        if line.kind == DISCOUNT and line.discount_of_id:
            key_text = (
                Text(line.description_key, line.description_args) if line.description_key else None
            )
            taken[line.discount_of_id].append(
                _Taken(line.amount, line.description, key_text, currency)
            )
    result = []
    for line in order_lines:
        if line.kind == DISCOUNT:
            continue
        fields = line.ledger_fields()
        if not taken[line.pk]:
            result.append((line, line.amount, fields))
            continue
        base = (
            Text(line.computation_key, line.computation_args)
            if line.computation_key
            else line.computation
        )
        net, computation = fold(line.amount, base, taken[line.pk])
        fields.update(descriptions.stored("computation", computation, ""))
        fields["computation"] = fields["computation"][:300]
        result.append((line, net, fields))
    return result

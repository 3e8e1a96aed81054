"""Property (hypothesis, derandomised): for random families, enrollments and discount rules,
the first month priced at checkout and the later months priced for the same enrollments (as
the monthly run prices them: one enrollment at a time, through the same pricing service)
take the same rules off the same students and classes; no total is below zero; the lines
add up to the total; every line is whole cents, each discount rounded half-up on its own
line and never more than the line it reduces."""

import itertools
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from springboard.booking.models import Enrollment
from springboard.checkout import discounts
from springboard.checkout.models import DiscountRule, DiscountRuleKind, DiscountValue
from springboard.checkout.pricing import CourseItem, quote
from tests import factories, family_factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db
D = Decimal
CENT = D("0.01")
NOW = datetime(2026, 12, 1, 12, tzinfo=catalog.CHICAGO)
CHECKOUT_DAY = date(2027, 1, 12)  # inside January: the first month is prorated
LATER_MONTHS = (date(2027, 2, 1), date(2027, 3, 1))
_numbers = itertools.count(1)

rules = st.lists(
    st.tuples(
        st.sampled_from([DiscountRuleKind.SIBLING, DiscountRuleKind.MULTI_CLASS]),
        st.sampled_from([DiscountValue.PERCENT, DiscountValue.AMOUNT]),
        st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
        st.sampled_from([None, 0, 1]),  # every program, or one of the two
    ),
    max_size=4,
)
tuitions = st.decimals(min_value=D("0"), max_value=D("250"), places=2)
# which (student, course) pairs exist: enrolled before checkout, bought at checkout, or neither
pairs = st.lists(st.sampled_from(["before", "now", None]), min_size=9, max_size=9)


def _check_lines(result) -> None:
    assert result.total >= 0
    assert result.total == sum((line.amount for line in result.lines), D("0"))
    for index, line in enumerate(result.lines):
        assert line.amount == line.amount.quantize(CENT)
        if line.kind == discounts.DISCOUNT:
            target = result.lines[line.discount_of]
            assert line.discount_of < index and target.kind != discounts.DISCOUNT
            assert line.amount < 0
            rule = line.subject
            earlier = sum(
                (-d.amount for d in result.lines[:index] if d.discount_of == line.discount_of),
                D("0"),
            )
            if rule.value_type == DiscountValue.PERCENT:  # of the line, half-up on the line
                wanted = (target.amount * rule.value / 100).quantize(CENT, ROUND_HALF_UP)
            else:
                wanted = rule.value
            assert -line.amount == min(wanted, target.amount - earlier)
        else:
            taken = sum((-d.amount for d in result.lines if d.discount_of == index), D("0"))
            assert taken <= line.amount


def _taken_off(result) -> set[tuple[int, int, int]]:
    """(student, course, rule) for every discount line."""
    return {
        (line.student.pk, result.lines[line.discount_of].subject.pk, line.subject.pk)
        for line in result.lines
        if line.kind == discounts.DISCOUNT
    }


def _nothing_to_take(result, student_id, course_id, rule_id) -> bool:
    index, line = next(
        (i, line)
        for i, line in enumerate(result.lines)
        if line.kind != discounts.DISCOUNT
        and (line.student.pk, line.subject.pk) == (student_id, course_id)
    )
    rule = DiscountRule.objects.get(pk=rule_id)
    before = sum(
        (
            -d.amount
            for d in result.lines
            if d.discount_of == index
            and rule.kind == DiscountRuleKind.MULTI_CLASS
            and d.subject.kind == DiscountRuleKind.SIBLING
        ),
        D("0"),
    )
    if rule.value_type == DiscountValue.PERCENT:
        wanted = (line.amount * rule.value / 100).quantize(CENT, ROUND_HALF_UP)
    else:
        wanted = rule.value
    return min(wanted, line.amount - before) <= 0


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=rules, tuitions=st.lists(tuitions, min_size=3, max_size=3), pairs=pairs)
def test_checkout_and_later_months_take_the_same_discounts(db, rules, tuitions, pairs):
    with transaction.atomic():
        org = factories.organization(f"prop{next(_numbers)}")
        factories.location(org)
        programs = [catalog.program(org), catalog.program(org)]
        term = catalog.term(org)
        courses = [
            catalog.course(
                org, term=term, program=programs[n % 2], tuition=tuitions[n], monday=True
            )
            for n in range(3)
        ]
        family = family_factories.family(org)
        kids = [family_factories.student(family, first_name=f"Kid{n}") for n in range(3)]
        for kind, value_type, value, program in rules:
            if value_type == DiscountValue.PERCENT:
                value = min(value, D("100"))
            DiscountRule.objects.create(
                organization=org,
                name=f"{kind} {value}",
                kind=kind,
                value_type=value_type,
                value=value,
                program=programs[program] if program is not None else None,
            )
        bought = []
        for n, (kid, course) in enumerate(itertools.product(kids, courses)):
            if pairs[n] == "before":
                Enrollment.objects.create(
                    organization=org,
                    student=kid,
                    course=course,
                    created_at=NOW - timedelta(days=30 - n),
                )
            elif pairs[n] == "now":
                bought.append(CourseItem(course, kid))

        at_checkout = quote(bought, organization=org, family=family, today=CHECKOUT_DAY, now=NOW)
        _check_lines(at_checkout)
        charges = discounts.chargeable(at_checkout.lines, currency="USD")
        assert sum(line.amount for line in charges) == at_checkout.total
        assert all(line.amount >= 0 for line in charges)

        # Checkout confirmed: the bought classes are enrollments now (made at one moment).
        for item in bought:
            Enrollment.objects.create(
                organization=org, student=item.student, course=item.course, created_at=NOW
            )
        bought_pairs = {(item.student.pk, item.course.pk) for item in bought}
        first_month = {entry for entry in _taken_off(at_checkout)}
        for month in LATER_MONTHS:
            later: set = set()
            for enrollment in Enrollment.objects.filter(student__family=family):
                one = quote(
                    [CourseItem(enrollment.course, enrollment.student)],
                    organization=org,
                    family=family,
                    today=month,
                    now=NOW + timedelta(days=40),
                )
                _check_lines(one)
                later |= _taken_off(one)
            # The same rules off the same students and classes: every rule taken off at
            # checkout is taken off later, and one taken off later is missing at checkout
            # only when nothing was left to take there (the prorated line rounded to no
            # cent, or the kind before it took the whole line).
            priced = {(s, c, r) for s, c, r in later if (s, c) in bought_pairs}
            assert first_month <= priced
            for s, c, r in priced - first_month:
                assert _nothing_to_take(at_checkout, s, c, r), (s, c, r)
        transaction.set_rollback(True)

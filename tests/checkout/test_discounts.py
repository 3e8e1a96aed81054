"""Sibling and multi-class discounts in the pricing service: who counts (the family's
enrollments in the term plus what is being priced), per program or for all, percent or
amount, never below zero, and one charge of the net amount per line when paid."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core import mail

from springboard.billing.models import Charge
from springboard.booking.models import Enrollment
from springboard.checkout import discounts
from springboard.checkout.models import DiscountRule, DiscountRuleKind, DiscountValue
from springboard.checkout.pricing import CourseItem, quote
from tests import family_factories
from tests.catalog import factories as catalog
from tests.checkout.helpers import cart_with_two_students, pay_data, start

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime(2027, 1, 1, 12, tzinfo=catalog.CHICAGO)
TODAY = date(2026, 12, 1)  # before the term: January is priced in full


def sibling(org, value="10", value_type=DiscountValue.PERCENT, **fields):
    return DiscountRule.objects.create(
        organization=org,
        name=fields.pop("name", "Sibling discount"),
        kind=DiscountRuleKind.SIBLING,
        value=D(value),
        value_type=value_type,
        **fields,
    )


def multi_class(org, value="15.00", value_type=DiscountValue.AMOUNT, **fields):
    return DiscountRule.objects.create(
        organization=org,
        name=fields.pop("name", "Second class"),
        kind=DiscountRuleKind.MULTI_CLASS,
        value=D(value),
        value_type=value_type,
        **fields,
    )


def price(org, family, items, now=NOW, today=TODAY):
    return quote(items, organization=org, family=family, today=today, now=now)


@pytest.fixture
def household(org):
    return family_factories.family(org)


@pytest.fixture
def kids(household):
    return [family_factories.student(household, first_name=name) for name in ("Maya", "Leo", "Ana")]


def amounts(result):
    return [(line.kind, line.amount) for line in result.lines]


def test_the_second_and_third_child_get_the_sibling_discount(org, household, kids):
    sibling(org)
    course = catalog.course(org, tuition=D("100.00"))
    result = price(org, household, [CourseItem(course, kid) for kid in kids])
    assert amounts(result) == [
        ("tuition", D("100.00")),
        ("tuition", D("100.00")),
        ("discount", D("-10.00")),
        ("tuition", D("100.00")),
        ("discount", D("-10.00")),
    ]
    assert result.total == D("280.00") == sum(line.amount for line in result.lines)
    first_discount = result.lines[2]
    assert first_discount.discount_of == 1 and first_discount.student == kids[1]
    assert first_discount.description == "Sibling discount — Leo"
    assert first_discount.computation.startswith("10% off Class")


def test_a_child_enrolled_last_month_makes_this_month_a_sibling_discount(org, household, kids):
    """Decided from the family's enrollments in the term, not from the cart alone."""
    sibling(org)
    course = catalog.course(org, tuition=D("100.00"))
    Enrollment.objects.create(
        organization=org,
        student=kids[0],
        course=course,
        created_at=datetime(2026, 11, 20, tzinfo=catalog.CHICAGO),
    )
    result = price(org, household, [CourseItem(course, kids[1])])
    assert amounts(result) == [("tuition", D("100.00")), ("discount", D("-10.00"))]
    # the first child's own later month stays full price; the second keeps the discount
    for kid, expected in ((kids[0], D("100.00")), (kids[1], D("90.00"))):
        Enrollment.objects.get_or_create(
            organization=org, student=kid, course=course, defaults={"created_at": NOW}
        )
        later = price(org, household, [CourseItem(course, kid)], today=date(2027, 1, 26))
        assert later.total == expected


def test_a_dropped_enrollment_and_another_term_do_not_count(org, household, kids):
    sibling(org)
    course = catalog.course(org, tuition=D("100.00"))
    other_term = catalog.term(org, start_date=date(2027, 4, 5), end_date=date(2027, 6, 26))
    Enrollment.objects.create(
        organization=org, student=kids[0], course=course, created_at=NOW, status="dropped"
    )
    Enrollment.objects.create(
        organization=org,
        student=kids[2],
        course=catalog.course(org, term=other_term),
        created_at=NOW,
    )
    assert price(org, household, [CourseItem(course, kids[1])]).total == D("100.00")


def test_a_rule_for_one_program_counts_only_that_programs_classes(org, household, kids):
    gym, swim = catalog.program(org, name="Gym"), catalog.program(org, name="Swim")
    sibling(org, program=swim)
    gym_class = catalog.course(org, program=gym, tuition=D("100.00"))
    swim_class = catalog.course(org, program=swim, tuition=D("60.00"))
    mixed = price(org, household, [CourseItem(gym_class, kids[0]), CourseItem(swim_class, kids[1])])
    assert mixed.total == D("160.00")
    both_swim = price(
        org, household, [CourseItem(swim_class, kids[0]), CourseItem(swim_class, kids[1])]
    )
    assert both_swim.total == D("114.00")


def test_multi_class_amount_off_never_takes_a_line_below_zero(org, household, kids):
    multi_class(org, value="15.00")
    first = catalog.course(org, tuition=D("100.00"))
    cheap = catalog.course(org, tuition=D("10.00"), tuesday=True)
    result = price(org, household, [CourseItem(first, kids[0]), CourseItem(cheap, kids[0])])
    assert amounts(result) == [
        ("tuition", D("100.00")),
        ("tuition", D("10.00")),
        ("discount", D("-10.00")),
    ]
    assert result.total == D("100.00")
    # another student's first class is not a second class
    assert price(org, household, [CourseItem(first, kids[1])]).total == D("100.00")


def test_sibling_and_multi_class_stack_on_the_same_line_and_round_half_up(org, household, kids):
    sibling(org, value="12.5")
    multi_class(org, value="10", value_type=DiscountValue.PERCENT)
    course = catalog.course(org, tuition=D("33.33"))
    second = catalog.course(org, tuition=D("33.33"), wednesday=True)
    items = [CourseItem(course, kids[0]), CourseItem(course, kids[1]), CourseItem(second, kids[1])]
    result = price(org, household, items)
    # 12.5% of 33.33 = 4.16625 → 4.17; 10% of 33.33 = 3.333 → 3.33
    assert [line.amount for line in result.lines if line.kind == "discount"] == [
        D("-4.17"),
        D("-4.17"),
        D("-3.33"),
    ]
    assert result.total == sum(line.amount for line in result.lines)


def test_the_best_rule_of_a_kind_is_taken_not_both(org, household, kids):
    sibling(org, value="10")
    sibling(org, value="25.00", value_type=DiscountValue.AMOUNT, name="Big sibling")
    course = catalog.course(org, tuition=D("100.00"))
    result = price(org, household, [CourseItem(course, kids[0]), CourseItem(course, kids[1])])
    assert result.total == D("175.00")
    assert result.lines[-1].description == "Big sibling — Leo"


def test_inactive_rules_and_other_organizations_rules_give_nothing(org, other_org, household, kids):
    sibling(org, is_active=False)
    sibling(other_org)
    course = catalog.course(org, tuition=D("100.00"))
    result = price(org, household, [CourseItem(course, kids[0]), CourseItem(course, kids[1])])
    assert result.total == D("200.00")


def test_a_line_and_its_discounts_become_one_charge_of_the_net_amount(org, household, kids):
    sibling(org)
    course = catalog.course(org, tuition=D("100.00"))
    result = price(org, household, [CourseItem(course, kids[0]), CourseItem(course, kids[1])])
    charges = discounts.chargeable(result.lines, currency="USD")
    assert [line.amount for line in charges] == [D("100.00"), D("90.00")]
    assert sum(line.amount for line in charges) == result.total
    assert "Sibling discount — Leo: −$10.00" in charges[1].computation


def test_checkout_shows_the_sibling_discount_and_posts_net_charges(
    logged_in, org, family, clock, django_capture_on_commit_callbacks
):
    sibling(org)
    cart_with_two_students(logged_in, org, family)
    cart = logged_in.get("/acme/cart/").content.decode()
    assert cart.count('data-testid="discount-line"') == 1
    assert "Sibling discount — Leo" in cart
    order = start(logged_in)
    page = logged_in.get("/acme/cart/checkout/").content.decode()
    assert page.count('data-testid="discount-line"') == 1
    assert order.total == D("190.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response.status_code == 302
    charges = Charge.objects.order_by("pk")
    assert [c.amount for c in charges] == [D("100.00"), D("90.00")]
    assert sum(c.amount for c in charges) == order.total
    assert "Sibling discount — Leo" in charges[1].render_computation()
    receipt = mail.outbox[0]
    assert "Sibling discount — Leo" in receipt.body
    assert "-$10.00" in receipt.body
    detail = logged_in.get(f"/acme/orders/{order.pk}/").content.decode()
    assert detail.count('data-testid="discount-line"') == 1
    # the statement and history show the discount as its own line under the charge
    for url in (
        "/acme/account/statement/?start=2026-11-01&end=2026-12-31",
        "/acme/account/history/",
    ):
        page = logged_in.get(url).content.decode()
        assert page.count('data-testid="discount-line"') == 1, url
        assert "Sibling discount — Leo: −$10.00" in page


def test_sibling_and_multi_class_rules_never_touch_products_or_gift_cards(org, household, kids):
    """Rules are for class tuition only: a leotard and an eGift Card in the same quote as two
    siblings' classes keep their price (and the leotard's tax stays on its full price)."""
    from springboard.checkout.gift_cards import GiftCardItem
    from springboard.checkout.pricing import ProductItem
    from springboard.giftcards.models import GiftCardPurchase
    from tests.shop import factories as shop

    sibling(org, value="50")
    multi_class(org, value="100", value_type=DiscountValue.PERCENT)
    shop.tax(org, "10")
    leotard = shop.product(org, title="Leotard", price="40.00")
    card = GiftCardPurchase(
        organization=org, amount=D("50.00"), value=D("50.00"), recipient_name="Sam"
    )
    course = catalog.course(org, tuition=D("100.00"))
    items = [
        ProductItem(shop.variant(leotard), 1, org.location_set.order_by("pk").first()),
        CourseItem(course, kids[0]),
        GiftCardItem(purchase=card),
        CourseItem(course, kids[1]),
    ]
    result = price(org, household, items)
    assert amounts(result) == [
        ("product", D("40.00")),
        ("tax", D("4.00")),
        ("tuition", D("100.00")),
        ("gift_card", D("50.00")),
        ("tuition", D("100.00")),
        ("discount", D("-50.00")),  # the second child's class only
    ]
    assert result.lines[5].discount_of == 4


def test_the_carts_preview_prices_only_when_a_rule_could_apply(
    logged_in, org, family, clock, monkeypatch
):
    from springboard.checkout import pricing

    cart_with_two_students(logged_in, org, family)
    real_quote, priced = pricing.quote, []
    monkeypatch.setattr(
        pricing, "quote", lambda *args, **kwargs: priced.append(1) or real_quote(*args, **kwargs)
    )
    cart = logged_in.get("/acme/cart/").content.decode()
    assert 'data-testid="discount-line"' not in cart and priced == []  # no rule: not priced
    sibling(org)  # staff add a rule: the next cart page shows what it takes off
    cart = logged_in.get("/acme/cart/").content.decode()
    assert cart.count('data-testid="discount-line"') == 1 and priced == [1]
    assert "Sibling discount — Leo" in cart

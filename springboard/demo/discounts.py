"""The demo gym's discounts (docs/billing.md, "Discounts and promo codes"): a 10% sibling
discount on every program, and the promo code WELCOME10 (10% off everything, once per
family, valid from a week before the day the demo is loaded to two months after it).

Idempotent: the rule is found by its name, the code by its code."""

from datetime import datetime, timedelta
from decimal import Decimal

from springboard.checkout.models import (
    DiscountRule,
    DiscountRuleKind,
    DiscountValue,
    PromoApplies,
    PromoCode,
)
from springboard.demo.dates import local_today
from springboard.tenancy.models import Organization

SIBLING_DISCOUNT = "Sibling discount"
PROMO_CODE = "WELCOME10"


def load_demo_discounts(organization: Organization, *, now: datetime) -> None:
    today = local_today(now, organization.time_zone)
    DiscountRule.objects.get_or_create(
        organization=organization,
        name=SIBLING_DISCOUNT,
        defaults={
            "kind": DiscountRuleKind.SIBLING,
            "value_type": DiscountValue.PERCENT,
            "value": Decimal("10"),
        },
    )
    PromoCode.objects.get_or_create(
        organization=organization,
        code=PROMO_CODE,
        defaults={
            "value_type": DiscountValue.PERCENT,
            "value": Decimal("10"),
            "applies_to": PromoApplies.EVERYTHING,
            "valid_from": today - timedelta(days=7),
            "valid_until": today + timedelta(days=60),
            "max_uses": 500,
            "once_per_family": True,
        },
    )

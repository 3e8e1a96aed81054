"""The demo gym's eGift Cards (issue 12): $25, $50 or $100, or any amount from $10 to $500,
and every full $100 bought credits $10 more ("buy $100, get $110"). Idempotent."""

from decimal import Decimal

from springboard.giftcards.models import GiftCardSettings


def load_demo_gift_cards(organization) -> GiftCardSettings:
    config, _created = GiftCardSettings.objects.update_or_create(
        organization=organization,
        defaults={
            "title": "eGift Cards",
            "fixed_amounts": "25, 50, 100",
            "any_amount": True,
            "minimum_amount": Decimal("10.00"),
            "maximum_amount": Decimal("500.00"),
            "bonus_multiplier": Decimal("1.00"),
            "bonus_step": Decimal("100.00"),
            "bonus_per_step": Decimal("10.00"),
            "message_max_length": 200,
            "expiry_years": None,
        },
    )
    return config

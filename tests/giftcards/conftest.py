from decimal import Decimal

import pytest

from springboard.giftcards import services as giftcards
from springboard.giftcards.models import GiftCardSettings
from tests.booking.conftest import clock, family, logged_in  # noqa: F401


def gift_settings(org, **fields) -> GiftCardSettings:
    org.portal_settings.egift_cards_enabled = True
    org.portal_settings.save()
    defaults = {
        "fixed_amounts": "25, 50, 100",
        "any_amount": True,
        "minimum_amount": Decimal("10.00"),
        "maximum_amount": Decimal("500.00"),
        "bonus_step": Decimal("100.00"),
        "bonus_per_step": Decimal("10.00"),
    }
    defaults.update(fields)
    return GiftCardSettings.objects.create(organization=org, **defaults)


@pytest.fixture
def gift_config(org):
    return gift_settings(org)


def a_card(org, amount="50.00", value=None, *, now):
    """A card issued through the service (as checkout does), and its code."""
    from springboard.giftcards.codes import code_for

    card = giftcards.issue(
        organization=org,
        amount=Decimal(amount),
        value=Decimal(value or amount),
        recipient_name="Sam",
        recipient_email="sam@example.com",
        sender_name="Alex",
        now=now,
    )
    return card, code_for(card)


def buy_data(**extra):
    data = {
        "amount": "50.00",
        "recipient_name": "Sam Friend",
        "recipient_email": "sam@example.com",
        "sender_name": "Alex",
        "message": "Happy birthday!",
        "deliver": "now",
    }
    data.update(extra)
    return data

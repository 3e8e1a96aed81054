"""A card for a later date is emailed by the task worker on that day (housekeeping queues it,
once); the settings' rules (expiry of at least five whole years, amounts, bonus); the chrome
shows eGift Cards only when the switch is on."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from springboard.giftcards.amounts import credited
from springboard.giftcards.housekeeping import deliver_due_cards
from springboard.giftcards.models import GiftCard, GiftCardSettings
from springboard.giftcards.services import local_today, usable
from tests.checkout.helpers import pay_data, start
from tests.giftcards.conftest import a_card, buy_data, gift_settings

pytestmark = [pytest.mark.django_db]


@pytest.mark.usefixtures("gift_config")
def test_a_card_for_a_later_date_is_emailed_on_that_day_once(
    logged_in, org, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        day = local_today(org, timezone.now()) + timedelta(days=3)
        logged_in.post("/acme/egift-cards/", buy_data(deliver="date", deliver_on=day.isoformat()))
        order = start(logged_in)
        with django_capture_on_commit_callbacks(execute=True):
            logged_in.post("/acme/cart/checkout/", pay_data(org, order))
        assert [m.to for m in mail.outbox] == [[order.family.email]]  # the receipt only
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_due_cards(timezone.now()) == 0
        traveller.shift(timedelta(days=3, hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_due_cards(timezone.now()) == 1
            assert deliver_due_cards(timezone.now()) == 0
    assert mail.outbox[-1].to == ["sam@example.com"]
    assert GiftCard.objects.get().emailed_at is not None


def test_the_expiry_is_at_least_five_whole_years(org):
    config = GiftCardSettings(organization=org, expiry_years=4, fixed_amounts="25")
    with pytest.raises(ValidationError):
        config.full_clean()
    config.expiry_years = 5
    config.full_clean()


def test_an_expired_card_does_not_work(org):
    gift_settings(org, expiry_years=5)
    now = timezone.now()
    card, _code = a_card(org, "20.00", now=now)
    assert card.expires_on.year == local_today(org, now).year + 5
    assert usable(card, card.balance(), now=now)
    later = now + timedelta(days=366 * 5 + 2)
    assert not usable(card, card.balance(), now=later)


def test_no_expiry_by_default(org):
    card, _code = a_card(org, "20.00", now=timezone.now())
    assert card.expires_on is None


def test_what_is_credited(org):
    config = gift_settings(org)
    assert credited(Decimal("100.00"), config) == Decimal("110.00")
    assert credited(Decimal("50.00"), config) == Decimal("50.00")
    assert credited(Decimal("250.00"), config) == Decimal("270.00")
    config.bonus_step = config.bonus_per_step = None
    config.bonus_multiplier = Decimal("1.10")
    assert credited(Decimal("25.00"), config) == Decimal("27.50")


def test_bad_settings_are_refused(org):
    for fields in [
        {"fixed_amounts": "25, abc"},
        {"minimum_amount": Decimal("50"), "maximum_amount": Decimal("10")},
        {"fixed_amounts": "", "any_amount": False},
        {"bonus_step": Decimal("100")},
    ]:
        config = GiftCardSettings(organization=org, **fields)
        with pytest.raises(ValidationError):
            config.full_clean()


def test_the_chrome_shows_egift_cards_only_when_switched_on(client, org):
    org.portal_settings.egift_cards_enabled = False
    org.portal_settings.save()
    assert "/acme/egift-cards/" not in client.get("/acme/dashboard/").content.decode()
    org.portal_settings.egift_cards_enabled = True
    org.portal_settings.save()
    assert "/acme/egift-cards/" in client.get("/acme/dashboard/").content.decode()

from decimal import Decimal

import pytest

from springboard.billing.cards import contains_card_number
from springboard.core.money import AmountError, format_money, money, parse_amount


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        (3, "3.00"),
    ],
)
def test_money_rounds_half_up(value, rounded):
    assert money(Decimal(value) if isinstance(value, str) else value) == Decimal(rounded)


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize(
    "value", ["0", "0.00", "-1", "1.001", "", "abc", "inf", "1e12", 0.5, None, True]
)
def test_bad_amounts(value):
    with pytest.raises(AmountError):
        parse_amount(value)


def test_good_amounts():
    assert parse_amount("1,234.5") == Decimal("1234.50")
    assert parse_amount(Decimal("7")) == Decimal("7.00")
    assert format_money(Decimal("1234.5"), currency="USD", locale="en") == "$1,234.50"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my card is 4242 4242 4242 4242 thanks", True),
        ("4000-0000-0000-0002", True),
        ("4242424242424241", False),  # fails Luhn
        ("call 217 555 0147", False),
        ("order 12345", False),
        ("", False),
    ],
)
def test_card_numbers_are_recognised_in_free_text(text, found):
    assert contains_card_number(text) is found


def test_log_lines_never_carry_a_card_number():
    import io
    import logging

    from springboard.core.logging import RedactCardNumbers

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactCardNumbers())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("paid with %s for order %s", "4242 4242 4242 4242", 1234567)
        try:
            raise ValueError("bad number 4000000000000002")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "4242 4242 4242 4242" not in text and "4000000000000002" not in text
    assert "[card number removed …4242]" in text and "order 1234567" in text
    assert "[card number removed …0002]" in text


def test_the_console_handler_is_configured_to_redact(settings):
    assert "redact_card_numbers" in settings.LOGGING["handlers"]["console"]["filters"]

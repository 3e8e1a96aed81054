"""Brand colours: validation and a readable text colour for any background (WCAG contrast)."""

import re
from functools import lru_cache

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
validate_hex_color = RegexValidator(
    HEX_COLOR, _("Enter a colour as # and six hex digits, e.g. #1d4ed8."), code="color"
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_color: str) -> float:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@lru_cache(maxsize=1024)  # read on every page for the brand colours (issue 17)
def readable_text_color(background: str) -> str:
    """Black or white, whichever reads better on the background."""
    white, black = "#ffffff", "#000000"
    if contrast_ratio(background, white) >= contrast_ratio(background, black):
        return white
    return black

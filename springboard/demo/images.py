"""Pictures for the demo, drawn here with Pillow so the demo needs no downloads."""

import random
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def background(name: str, start: str, end: str, *, seed: int, size=(1600, 900)) -> ContentFile:
    """A diagonal gradient with soft circles: reads as a photo-like backdrop behind text."""
    width, height = size
    a, b = _hex_to_rgb(start), _hex_to_rgb(end)
    gradient = Image.linear_gradient("L").resize((width, height)).rotate(35, expand=False)
    image = Image.composite(Image.new("RGB", size, b), Image.new("RGB", size, a), gradient)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    rng = random.Random(seed)
    for _ in range(14):
        radius = rng.randint(60, 260)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(255, 255, 255, rng.randint(18, 60)),
        )
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=name)


def portrait(name: str, color: str, initials: str) -> ContentFile:
    """A coloured square with initials, standing in for a staff photo."""
    image = Image.new("RGB", (480, 360), _hex_to_rgb(color))
    draw = ImageDraw.Draw(image)
    draw.ellipse((165, 55, 315, 205), fill=(255, 255, 255))
    draw.rounded_rectangle((120, 220, 360, 360), radius=60, fill=(255, 255, 255))
    draw.text(
        (240, 130),
        initials,
        fill=_hex_to_rgb(color),
        anchor="mm",
        font=ImageFont.load_default(size=56),
    )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def logo(name: str, color: str, text: str) -> ContentFile:
    image = Image.new("RGBA", (320, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 319, 79), radius=18, fill=(255, 255, 255, 255))
    draw.ellipse((14, 14, 66, 66), fill=_hex_to_rgb(color))
    draw.text(
        (80, 40), text, fill=_hex_to_rgb(color), anchor="lm", font=ImageFont.load_default(size=26)
    )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)

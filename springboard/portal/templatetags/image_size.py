"""`{% image_size item.image %}`: the `width="…" height="…"` attributes of an uploaded image,
so the browser reserves its box before the file arrives (no layout shift on a slow phone).

An uploaded file's name never changes its content (a new upload gets a new name), so its size
is read once (the file's header, Pillow) and kept in the default cache. A missing or
unreadable file gives no attributes rather than an error. `{% image_size logo height=40 %}`
(or `width=160`) scales to one side, the other from the aspect ratio.
"""

from django import template
from django.core.cache import cache
from django.utils.html import format_html

register = template.Library()

_MISSING = (0, 0)


def dimensions(image) -> tuple[int, int]:
    name = getattr(image, "name", "")
    if not name:
        return _MISSING
    key = "image-size:" + name
    found = cache.get(key)
    if found is None:
        try:
            found = (int(image.width or 0), int(image.height or 0))
        except (OSError, ValueError, TypeError):
            found = _MISSING
        cache.set(key, found, timeout=None if found != _MISSING else 60)
    return tuple(found)


@register.simple_tag
def image_size(image, width: int | None = None, height: int | None = None) -> str:
    natural_width, natural_height = dimensions(image)
    if not natural_width or not natural_height:
        return format_html('width="{}"', width) if width else ""
    if height:
        natural_width, natural_height = (
            max(1, round(natural_width * height / natural_height)),
            height,
        )
    elif width:
        natural_width, natural_height = width, max(1, round(natural_height * width / natural_width))
    return format_html('width="{}" height="{}"', natural_width, natural_height)

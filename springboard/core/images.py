"""Uploaded images: checked for type and size, then shrunk to what the pages show.

Staff upload logos, news backgrounds and staff photos straight from a phone camera; a 12 MP
photo would make the splash page slow on a phone, so every image is resized on upload.
"""

from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Pillow refuses images past this many pixels (decompression bombs) with an error we report.
Image.MAX_IMAGE_PIXELS = 40_000_000


def validate_image_upload(file) -> None:
    """Refuse anything that is not a JPEG, PNG, WebP or GIF image of a sensible size."""
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The image is %(size)s MB; the largest accepted is %(limit)s MB."),
            params={"size": round(file.size / 1_048_576, 1), "limit": limit // 1_048_576},
            code="image_too_large",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("Upload a JPEG, PNG, WebP or GIF image; this file is not one."),
            code="not_an_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Upload a JPEG, PNG, WebP or GIF image; this file is %(format)s."),
            params={"format": image_format},
            code="image_format",
        )


def shrink_image(file, max_dimension: int) -> ContentFile | None:
    """A copy no larger than max_dimension on its longest side, or None if it already fits."""
    file.seek(0)
    with Image.open(file) as opened:
        image_format = opened.format or "PNG"
        image = ImageOps.exif_transpose(opened)
        if max(image.size) <= max_dimension:
            file.seek(0)
            return None
        image.thumbnail((max_dimension, max_dimension), Image.Resampling.LANCZOS)
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = BytesIO()
        save_format = image_format if image_format in ALLOWED_FORMATS else "PNG"
        image.save(buffer, format=save_format, quality=85, optimize=True)
    name = PurePath(getattr(file, "name", "image")).stem + "." + ALLOWED_FORMATS[save_format]
    return ContentFile(buffer.getvalue(), name=name)


class ResizedImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Every way a file reaches storage (admin upload, .save() in code) passes here.
        smaller = shrink_image(content, self.field.max_dimension)
        if smaller is not None:
            name, content = smaller.name, smaller
        super().save(name, content, save)


class ResizedImageField(models.ImageField):
    """An ImageField that validates uploads and shrinks them to max_dimension when saved."""

    attr_class = ResizedImageFieldFile

    def __init__(self, *args, max_dimension: int = 1600, **kwargs):
        self.max_dimension = max_dimension
        kwargs.setdefault("validators", [validate_image_upload])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_dimension"] = self.max_dimension
        kwargs.pop("validators", None)
        return name, path, args, kwargs

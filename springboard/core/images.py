"""Uploaded images: checked for type and size, then re-encoded and shrunk to what the pages show.

Staff upload logos, news backgrounds and staff photos straight from a phone camera; a 12 MP
photo would make the splash page slow on a phone, so every image is resized on upload, and
every image is re-encoded so the camera's EXIF (GPS position included) is never published.
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


def shrink_image(file, max_dimension: int) -> ContentFile:
    """A fresh copy no larger than max_dimension on its longest side.

    Always re-encoded, even when the image already fits: what a camera wrote beside the
    pixels (EXIF with GPS position, camera serial, XMP, comments) is not copied. Only the
    orientation is applied to the pixels and the colour profile kept. An animated GIF keeps
    its first frame.
    """
    file.seek(0)
    with Image.open(file) as opened:
        image_format = opened.format or "PNG"
        icc_profile = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)
        if max(image.size) > max_dimension:
            image.thumbnail((max_dimension, max_dimension), Image.Resampling.LANCZOS)
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = BytesIO()
        save_format = image_format if image_format in ALLOWED_FORMATS else "PNG"
        # Pillow writes metadata only when asked (exif=, xmp=, pnginfo=): none is asked for.
        options = {"icc_profile": icc_profile} if icc_profile else {}
        image.save(buffer, format=save_format, quality=85, optimize=True, **options)
    file.seek(0)
    name = PurePath(getattr(file, "name", "image")).stem + "." + ALLOWED_FORMATS[save_format]
    return ContentFile(buffer.getvalue(), name=name)


class ResizedImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Every way a file reaches storage (admin upload, .save() in code) passes here: what
        # is stored is always our own re-encoding, never the uploaded bytes.
        clean = shrink_image(content, self.field.max_dimension)
        super().save(clean.name, clean, save)


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

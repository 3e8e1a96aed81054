"""Staff uploads: only real images of a sensible size, shrunk to what the pages show."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from springboard.content.models import NewsItem, StaffProfile
from springboard.tenancy.models import StaffRole
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, org):
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    return client


def _post_news(client, org, image):
    return client.post(
        "/admin/content/newsitem/add/",
        {
            "organization": org.pk,
            "title_en": "With a picture",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00",
            "image": image,
        },
    )


def test_a_text_file_is_refused_as_an_image(staff_client, org):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = _post_news(staff_client, org, fake)
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not NewsItem.objects.exists()


def test_a_20_mb_image_is_refused(staff_client, org):
    # A valid PNG header followed by padding: 20 MB on the wire.
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    big = SimpleUploadedFile(
        "huge.png", buffer.getvalue() + b"\0" * (20 * 1024 * 1024), content_type="image/png"
    )
    response = _post_news(staff_client, org, big)
    assert response.status_code == 200
    assert not NewsItem.objects.exists()
    assert "largest accepted is 5 MB" in str(response.context["adminform"].form.errors["image"])


def test_a_large_photo_is_shrunk_on_upload(staff_client, org):
    response = _post_news(
        staff_client, org, factories.image_upload("big.jpg", (4000, 3000), "JPEG")
    )
    assert response.status_code == 302, response.content
    item = NewsItem.objects.get()
    with Image.open(item.image.path) as image:
        assert max(image.size) == 1920


def test_staff_photos_are_shrunk_too(org):
    profile = StaffProfile(organization=org, name="Coach")
    upload = factories.image_upload("coach.png", (2400, 1200))
    profile.photo.save(upload.name, upload, save=False)
    profile.save()
    with Image.open(profile.photo.path) as image:
        assert image.size == (600, 300)


@pytest.mark.parametrize("color", ["red", "#12345", "#GGGGGG", "#1234567"])
def test_brand_colours_must_be_hex(client, org, color):
    owner = factories.staff_user(org, StaffRole.OWNER)
    client.force_login(owner)
    response = client.post(
        f"/admin/tenancy/organization/{org.pk}/change/",
        {
            "name": org.name,
            "is_active": "on",
            "brand_color": color,
            "accent_color": "#000000",
            "currency": "USD",
            "time_zone": "America/Chicago",
            "portal_settings-TOTAL_FORMS": "1",
            "portal_settings-INITIAL_FORMS": "1",
            "portal_settings-MIN_NUM_FORMS": "0",
            "portal_settings-MAX_NUM_FORMS": "1",
            "portal_settings-0-id": org.portal_settings.pk,
            "portal_settings-0-organization": org.pk,
            "portal_settings-0-welcome_title_en": "Hi",
            "portal_settings-0-staff_page_title_en": "Staff",
            "portal_settings-0-openings_display": "number",
            "portal_settings-0-cart_hold_minutes": "15",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "brand_color" in errors, errors
    if len(color) <= 7:
        assert "six hex digits" in str(errors["brand_color"])
    org.refresh_from_db()
    assert org.brand_color != color


def _photo_with_gps(name="phone.jpg", size=(64, 48)):
    """A small JPEG as a phone writes it: camera make and the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="JPEG", exif=exif)
    with Image.open(BytesIO(buffer.getvalue())) as check:  # the upload does carry it
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_small_phone_photo_is_stored_without_its_gps_position(staff_client, org):
    response = _post_news(staff_client, org, _photo_with_gps())
    assert response.status_code == 302, response.content
    stored = NewsItem.objects.get().image
    with Image.open(stored.path) as image:
        assert image.size == (64, 48)  # small enough: not resized, still re-encoded
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert not exif
    assert b"PhoneMaker" not in stored.read()


def test_a_large_phone_photo_loses_its_gps_position_too(org):
    profile = StaffProfile(organization=org, name="Coach")
    upload = _photo_with_gps("coach.jpg", (2400, 1200))
    profile.photo.save(upload.name, upload, save=False)
    with Image.open(profile.photo.path) as image:
        assert image.size == (600, 300)
        assert not image.getexif()

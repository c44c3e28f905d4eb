"""Photos attached to reports (issue 13): type sniffed, size capped, bombs refused, EXIF gone."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from web_report_journeys import PUBLIC_HATE_ANSWERS, answer, answer_all
from web_reporting import publish_small_area

from safecity_web.encryption import Purpose, decrypt_bytes
from safecity_web.reporting import attachments
from safecity_web.reporting.attachments import AttachmentRejectedError, clean_image
from safecity_web.reporting.models import ReportAttachment

GPS_IFD = 0x8825
GPS_LATITUDE = 2
ORIENTATION = 0x0112
MAKE = 0x010F


def _photo_with_gps(*, image_format: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "Example Camera Co"
    exif[ORIENTATION] = 1
    exif.get_ifd(GPS_IFD).update({1: "N", GPS_LATITUDE: (50.0, 54.0, 12.5), 3: "W"})
    output = io.BytesIO()
    image.save(output, format=image_format, exif=exif.tobytes())
    return output.getvalue()


def test_a_photo_loses_its_exif_and_gps_position() -> None:
    original = _photo_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)[GPS_LATITUDE] == (50.0, 54.0, 12.5)
    cleaned = clean_image(data=original, name="IMG_0001.jpg")
    assert cleaned.content_type == "image/jpeg"
    assert b"Example Camera Co" not in cleaned.data
    assert b"Exif" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.format == "JPEG"
        assert after.size == (64, 48)
        assert dict(after.getexif()) == {}
        assert after.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in after.info
        red, green, blue = after.getpixel((10, 10))
        assert red > 180
        assert green < 60
        assert blue < 60


def test_png_and_webp_are_re_encoded_as_themselves_without_metadata() -> None:
    for image_format, content_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        cleaned = clean_image(data=_photo_with_gps(image_format=image_format))
        assert cleaned.content_type == content_type
        assert b"Example Camera Co" not in cleaned.data
        with Image.open(io.BytesIO(cleaned.data)) as after:
            assert after.format == image_format
            assert dict(after.getexif()) == {}


def test_the_orientation_is_applied_before_it_is_stripped() -> None:
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to display
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    cleaned = clean_image(data=output.getvalue())
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.size == (20, 40)


def test_a_text_file_renamed_jpg_is_refused() -> None:
    with pytest.raises(AttachmentRejectedError, match="not a photo we can take"):
        clean_image(data=b"Dear council, this is not a picture.\n" * 10, name="photo.jpg")


def test_an_image_type_not_configured_is_refused_whatever_its_name() -> None:
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, format="GIF")
    with pytest.raises(AttachmentRejectedError, match="JPEG, PNG or WebP"):
        clean_image(data=output.getvalue(), name="holiday.png")


def test_a_truncated_image_is_refused() -> None:
    broken = _photo_with_gps()[:200]
    with pytest.raises(AttachmentRejectedError, match="could not be read"):
        clean_image(data=broken, name="broken.jpg")


def test_an_oversized_file_is_refused_before_it_is_decoded() -> None:
    limit = attachments.core_gateway.community_reports_config().attachments.max_bytes
    too_big = _photo_with_gps() + b"\0" * limit
    with pytest.raises(AttachmentRejectedError, match="larger than 5 MB"):
        clean_image(data=too_big, name="huge.jpg")
    with pytest.raises(AttachmentRejectedError, match="larger than 5 MB"):
        attachments.read_capped(stream=io.BytesIO(too_big), max_bytes=limit)


def test_a_decompression_bomb_is_refused_from_its_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small file announcing more pixels than allowed (the limit lowered so the test is small).
    monkeypatch.setattr(attachments, "MAX_PIXELS", 100 * 100)
    output = io.BytesIO()
    Image.new("L", (400, 400)).save(output, format="PNG")
    assert len(output.getvalue()) < 10_000
    with pytest.raises(AttachmentRejectedError, match="too many pixels"):
        clean_image(data=output.getvalue(), name="bomb.png")


@pytest.fixture
def journey_at_photos(client: Client) -> Iterator[Client]:
    caches["rate-limits"].clear()
    publish_small_area()
    answer_all(client, "/report/new/", PUBLIC_HATE_ANSWERS[:-1])
    yield client
    caches["rate-limits"].clear()


@pytest.mark.django_db
def test_photos_uploaded_in_the_journey_are_stored_clean_and_encrypted(
    journey_at_photos: Client,
) -> None:
    client = journey_at_photos
    photo = SimpleUploadedFile("IMG_0001.jpg", _photo_with_gps(), content_type="image/jpeg")
    response = client.post("/report/new/photos/", {"photos": [photo]})
    assert response.status_code == 302, response.content.decode()[-4000:]
    assert "1 photo" in client.get("/report/new/check/").content.decode()
    client.post("/report/new/check/", {"website": ""})
    stored = ReportAttachment.objects.get()
    assert stored.content_type == "image/jpeg"
    raw = bytes(stored.encrypted_content)
    assert not raw.startswith(b"\xff\xd8")
    data = decrypt_bytes(raw, purpose=Purpose.PERSONAL_DATA)
    assert b"Example Camera Co" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get_ifd(GPS_IFD) == {}


@pytest.mark.django_db
def test_the_photos_page_says_what_is_wrong_with_an_upload(journey_at_photos: Client) -> None:
    client = journey_at_photos
    renamed = SimpleUploadedFile("photo.jpg", b"just some text", content_type="image/jpeg")
    response = answer(client, "/report/new/", "photos", {"photos": [renamed]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "‘photo.jpg’ is not a photo we can take" in text
    four = [
        SimpleUploadedFile(f"p{index}.jpg", _photo_with_gps(), content_type="image/jpeg")
        for index in range(4)
    ]
    too_many = answer(client, "/report/new/", "photos", {"photos": four})
    assert "You can add up to 3 photos to a report" in too_many.content.decode()


@pytest.mark.django_db
def test_a_body_larger_than_the_photos_allowed_is_refused_unread(
    journey_at_photos: Client,
) -> None:
    response = journey_at_photos.post(
        "/report/new/photos/",
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(3 * 5 * 1024 * 1024 + 70 * 1024),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()

"""Photos attached to a report: checked from their bytes, re-encoded without any metadata.

An upload is accepted only when its first bytes say it is one of the configured image types
(``community_reports.yaml`` ``attachments.image_types``), whatever its name or declared type;
its size is checked before anything is decoded; its pixel count is checked from the header
before the pixels are decoded (a decompression bomb is refused, not decoded); and it is
re-encoded from its pixels alone, so EXIF (with any GPS position), XMP, IPTC, ICC profiles and
comments are all gone. The result is a :class:`CleanImage` for ``submit_report``.

References
----------
ICO, "Right to erasure" and data minimisation (UK GDPR Art. 5(1)(c)): a photo's location
metadata is personal data the service does not need. Pillow, "Image file formats" and
``Image.MAX_IMAGE_PIXELS`` (decompression-bomb protection):
https://pillow.readthedocs.io/en/stable/reference/Image.html
"""

from __future__ import annotations

import io
import warnings
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from safecity_web import core_gateway
from safecity_web.reporting.submission import CleanImage

MAX_PIXELS = 40_000_000
"""The most pixels a photo may have (a 40-megapixel camera); larger headers are refused."""
JPEG_QUALITY = 88

SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", b"WEBP", 8),
    ("image/gif", b"GIF8", 0),
)
"""(content type, magic bytes, offset) — how the type is recognised from the bytes."""
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
TYPE_WORDS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}


class AttachmentRejectedError(ValueError):
    """An upload that is not accepted; the message says why in words for the reporter."""


def sniffed_type(head: bytes) -> str | None:
    """The image type the first bytes of a file announce, or None when they announce none.

    Parameters
    ----------
    head
        At least the first 12 bytes of the file.
    """
    for content_type, magic, offset in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def accepted_types_words() -> str:
    """The accepted types in words, e.g. 'JPEG, PNG or WebP'."""
    words = [
        TYPE_WORDS.get(kind, kind)
        for kind in core_gateway.community_reports_config().attachments.image_types
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def read_capped(*, stream: IO[bytes], max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``stream``; refuse a stream that holds more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AttachmentRejectedError(
            f"The photo is larger than {max_bytes // (1024 * 1024)} MB: choose a smaller one"
        )
    return data


def clean_image(*, data: bytes, name: str = "") -> CleanImage:
    """Check an uploaded photo and re-encode it without metadata.

    Parameters
    ----------
    data
        The uploaded bytes (read with :func:`read_capped`, so never more than allowed).
    name
        The file's name as uploaded, used only in messages (never to decide the type).

    Returns
    -------
    CleanImage
        Its sniffed content type and the re-encoded bytes.

    Raises
    ------
    AttachmentRejectedError
        Not an accepted image type, too large, too many pixels, or not decodable.
    """
    rules = core_gateway.community_reports_config().attachments
    label = f"‘{name}’" if name else "The file"
    if len(data) > rules.max_bytes:
        raise AttachmentRejectedError(
            f"{label} is larger than {rules.max_bytes // (1024 * 1024)} MB: choose a smaller one"
        )
    content_type = sniffed_type(data[:16])
    if content_type is None or content_type not in rules.image_types:
        raise AttachmentRejectedError(
            f"{label} is not a photo we can take: it must be a {accepted_types_words()} image"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise AttachmentRejectedError(
                        f"{label} has too many pixels ({width} × {height}): choose a smaller photo"
                    )
                opened.seek(0)
                upright = ImageOps.exif_transpose(opened)
                pixels = _plain_pixels(upright, content_type=content_type)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise AttachmentRejectedError(
                f"{label} has too many pixels: choose a smaller photo"
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            if isinstance(error, AttachmentRejectedError):
                raise
            raise AttachmentRejectedError(
                f"{label} could not be read as a {TYPE_WORDS[content_type]} image"
            ) from error
    output = io.BytesIO()
    if content_type == "image/jpeg":
        pixels.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif content_type == "image/png":
        pixels.save(output, format="PNG", optimize=True)
    else:
        pixels.save(output, format="WEBP", quality=JPEG_QUALITY)
    return CleanImage(content_type=content_type, data=output.getvalue())


def _plain_pixels(image: Image.Image, *, content_type: str) -> Image.Image:
    """A new image holding only ``image``'s pixels (no info, EXIF, ICC profile or palette)."""
    if content_type == "image/jpeg":
        wanted = "L" if image.mode in ("1", "L") else "RGB"
    else:
        wanted = "RGBA" if image.mode in ("RGBA", "LA", "PA", "P") else "RGB"
        if image.mode == "L":
            wanted = "L"
    converted = image.convert(wanted)
    return Image.frombytes(wanted, converted.size, converted.tobytes())

"""Photo evidence: what an uploaded photo must be, and what is kept of it.

The type comes from the bytes (JPEG or PNG), never the name; the size is limited; the pixel
count is read from the header and refused before anything is decoded (a small PNG can declare
8,900 × 8,900 pixels and take gigabytes to decode); what is kept is a re-encoded JPEG of the
pixels alone — no EXIF, so no location, no camera serial — turned upright first.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from .errors import N_

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000        # a 50 MP camera's photo is shrunk on the phone before upload
MAX_SIDE = 2560                # what is kept: the long side at most this
SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


class PhotoRefused(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def sniff(data: bytes) -> str | None:
    for magic, kind in SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def clean(data: bytes) -> CleanPhoto:
    """Check an uploaded photo and return the JPEG to keep; PhotoRefused says why not."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise PhotoRefused(N_("The photo is empty."))
    if len(data) > MAX_BYTES:
        raise PhotoRefused(N_("The photo is too large (at most %(mb)d MB)."), mb=MAX_BYTES // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise PhotoRefused(N_("Only JPEG and PNG photos are accepted."))
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as img:  # reads the header only
            width, height = img.size
            if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                raise PhotoRefused(N_("The photo has too many pixels (%(w)d × %(h)d; at most %(n)d million)."),
                                   w=width, h=height, n=MAX_PIXELS // 1_000_000)
            img.load()
            upright = ImageOps.exif_transpose(img)
            rgb = upright.convert("RGB")
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused(N_("The photo could not be read; take it again.")) from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85, optimize=True)  # a new file: no EXIF, no ICC, no comments
    return CleanPhoto(data=out.getvalue(), width=rgb.width, height=rgb.height)

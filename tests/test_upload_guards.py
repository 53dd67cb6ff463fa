"""Uploads that would hold a worker are refused before they are decoded (security review L3): an
image above the pixel guard (a 9.7 KB PNG of 8,900 × 8,900 pixels) and a workbook that inflates
far beyond what it weighs."""
from __future__ import annotations

import io
import time
import zipfile
import zlib
import struct

import pytest

from app.domain.errors import Collector
from app.spreadsheets import BadUpload, read_table


def _png(width: int, height: int) -> bytes:
    """A valid PNG header announcing width × height, with a tiny (truncated) body."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_an_image_above_the_pixel_guard_is_refused_before_decoding(app):
    from app.certificates.operations import _prepare_image
    errors = Collector()
    t0 = time.perf_counter()
    assert _prepare_image(_png(8900, 8900), "seal", "seal", errors) is None
    assert time.perf_counter() - t0 < 0.5  # nothing was decoded
    assert errors.errors and "too large" in errors.errors[0].message


def test_a_workbook_that_inflates_a_thousand_times_is_refused_at_once():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<c>" + b" " * (20 * 1024 * 1024) + b"</c>")
    data = buf.getvalue()
    assert len(data) < 100_000
    t0 = time.perf_counter()
    with pytest.raises(BadUpload):
        read_table(data, "bomb.xlsx")
    assert time.perf_counter() - t0 < 0.5

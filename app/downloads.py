"""Files handed to users: their Content-Disposition names and PDF responses, shared by the web pages
and the API (a house tool: it knows no area)."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

# The plain `filename=` a client that ignores `filename*` saves the file under, by extension.
ASCII_FALLBACKS = {".pdf": "document.pdf", ".xlsx": "export.xlsx", ".zip": "files.zip", ".csv": "export.csv"}
_ASCII_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.[A-Za-z0-9]+")


def ascii_fallback(filename: str, ascii_name: str | None = None) -> str:
    """An ASCII name that fits the file: the name itself when it is plain ASCII (a serial such as
    XZ2026-001-00001.pdf), else `ascii_name`, else a generic name for its extension."""
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    for candidate in (filename, ascii_name):
        if candidate and _ASCII_SAFE.fullmatch(candidate) and len(candidate) <= 100 and \
                (not ext or candidate.lower().endswith(ext)):
            return candidate
    return ASCII_FALLBACKS.get(ext, "download" + (ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) else ""))


def attachment(filename: str, ascii_name: str | None = None, disposition: str = "attachment") -> str:
    """Content-Disposition with a UTF-8 file name (RFC 6266) and an ASCII fallback that fits the
    file (its extension, and `ascii_name` when the real name is not plain ASCII)."""
    return (f"{disposition}; filename=\"{ascii_fallback(filename, ascii_name)}\"; "
            f"filename*=UTF-8''{quote(filename)}")


def pdf_response(data: bytes, filename: str, inline: bool = True, ascii_name: str = "document.pdf") -> Response:
    disposition = attachment(filename, ascii_name, "inline" if inline else "attachment")
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})

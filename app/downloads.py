"""Responses for files handed to users (PDF documents), shared by the web pages and the API."""
from __future__ import annotations

from flask import Response

from .registration.exports import attachment


def pdf_response(data: bytes, filename: str, inline: bool = True, ascii_name: str = "document.pdf") -> Response:
    disposition = attachment(filename, ascii_name, "inline" if inline else "attachment")
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})

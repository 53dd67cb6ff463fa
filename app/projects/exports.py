"""A project's files as downloads, shared by the web page and the API."""
from __future__ import annotations

from flask import Response

from ..domain.dossier import EXTENSIONS
from ..downloads import attachment
from . import operations


def file_response(f) -> Response:
    """A business plan or pitch deck, typed by its stored content type, never sniffed by the browser."""
    ext = EXTENSIONS[f.content_type]
    return Response(operations.file_bytes(f), mimetype=f.content_type, headers={
        "Content-Disposition": attachment(f.filename or f"project-{f.id}{ext}", f"project-{f.id}{ext}"),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

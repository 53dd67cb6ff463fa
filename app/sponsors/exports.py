"""A sponsorship's agreement file as a download, shared by the web page and the API."""
from __future__ import annotations

from flask import Response
from werkzeug.exceptions import NotFound

from ..domain.dossier import EXTENSIONS
from ..downloads import attachment
from . import operations
from .models import Sponsorship


def agreement_response(row: Sponsorship) -> Response:
    data = operations.agreement_bytes(row)
    if data is None:
        raise NotFound()
    ext = EXTENSIONS[row.agreement_content_type]
    return Response(data, mimetype=row.agreement_content_type, headers={
        "Content-Disposition": attachment(row.agreement_filename or f"agreement-{row.id}{ext}", f"agreement-{row.id}{ext}"),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

"""The electronic record's PDF download, shared by the web pages and the API."""
from __future__ import annotations

from flask import Response

from ..downloads import attachment
from . import operations

PUBLISHED = ("publicity", "final", "archived")


def pdf_response(person, viewer, talent: dict) -> Response:
    """The record as the viewer may see it (talent: selection.operations.talent_record's answer)."""
    data = operations.record_pdf(person, viewer, talent)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": attachment(f"电子档案-{person.name}.pdf", "record.pdf"),
        "Cache-Control": "private, no-store"})

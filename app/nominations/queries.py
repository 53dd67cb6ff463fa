"""Reads and serializers of dossiers: the nominating side sees whose dossier it is; a judge sees
the contestant code only (names stay hidden until the event is locked and decrypted)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response
from sqlalchemy import select

from .. import timeutil
from ..domain.dossier import EXTENSIONS, FIELDS
from ..extensions import db
from ..registration.models import Registration
from .models import Dossier, DossierAttachment
from .operations import editable


def attachment_json(att: DossierAttachment) -> dict:
    return {"id": att.id, "filename": att.filename, "content_type": att.content_type, "size": att.size,
            "sha256": att.sha256, "uploaded_at": timeutil.iso(att.uploaded_at)}


def dossier_json(dossier: Dossier, *, for_judge: bool = False) -> dict:
    reg = dossier.registration
    out = {key: getattr(dossier, key) for key in FIELDS}
    out["attachments"] = [attachment_json(a) for a in dossier.attachments]
    out["version"] = dossier.version
    out["updated_at"] = timeutil.iso(dossier.updated_at)
    if for_judge:
        out["code"] = reg.code
        return out
    out.update({"registration_id": reg.id, "event_id": reg.event_id, "competition_id": reg.competition_id,
                "status": reg.status, "person": {"id": reg.person.id, "name": reg.person.name},
                "organization_id": reg.organization_id,
                "organization": reg.organization.name if reg.organization else None,
                "editable": editable(reg),
                "nominee": ({"kind": "organization", "id": dossier.nominee_organization_id,
                             "name": dossier.nominee_organization.name} if dossier.nominee_organization_id else
                            {"kind": "person", "id": reg.person.id, "name": reg.person.name})})
    return out


def nominations_query(*, event_id=None, organization_id=None):
    stmt = select(Registration).join(Dossier, Dossier.registration_id == Registration.id).order_by(Registration.id)
    if event_id is not None:
        stmt = stmt.where(Registration.event_id == event_id)
    if organization_id is not None:
        stmt = stmt.where(Registration.organization_id == organization_id)
    return stmt


def file_response(att: DossierAttachment) -> Response:
    """The stored bytes as a download, typed by what the bytes are (never rendered inline)."""
    data = db.session.scalar(select(DossierAttachment.data).where(DossierAttachment.id == att.id))
    return Response(data, mimetype=att.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"attachment-{att.id}{EXTENSIONS[att.content_type]}\"; "
                               f"filename*=UTF-8''{quote(att.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

"""API for title selections: nominations with a dossier, the dossier's text and attachments,
and the judge's read-only view of a dossier from their sheet."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..competitions.access import manages, supervises
from ..competitions.models import Event
from ..extensions import db
from ..nominations import operations as ops
from ..nominations.queries import attachment_json, dossier_json, file_response, nominations_query
from ..registration.models import Registration
from ..registration.queries import registration_json
from ..security import roles
from typing import Literal

from pydantic import Field

from . import bp
from .contract import DateTime, Id, Int, Model, Out, PageQuery, body, doc, form, page_of
from .registrations import RegistrationIn, RegistrationOut
from .util import BadBody, paginate


class DossierFields(Model):
    achievements: str | None = Field(None, max_length=5000, description="Main achievements (required to nominate).")
    innovations: str | None = Field(None, max_length=3000)
    honours: str | None = Field(None, max_length=2000)
    apprentices: str | None = Field(None, max_length=2000)


class DossierPatch(DossierFields):
    version: Int = Field(description="The version read (stale → 409 stale_version).")


class NominationIn(RegistrationIn):
    dossier: DossierFields
    nominee_organization_id: Id | None = Field(None, description="An award to a unit: the nominated organization "
                                               "(then `person` is the nomination's contact person for it).")


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: DateTime | None


class NomineeRef(Out):
    id: int
    name: str


class Nominee(Out):
    kind: Literal["person", "organization"]
    id: int
    name: str


class DossierOut(Out):
    achievements: str | None
    innovations: str | None
    honours: str | None
    apprentices: str | None
    attachments: list[AttachmentOut]
    version: int
    updated_at: DateTime | None
    code: str | None = Field(None, description="A judge's view: the entry's code only.")
    registration_id: int | None = None
    event_id: int | None = None
    competition_id: int | None = None
    status: str | None = None
    person: NomineeRef | None = None
    organization_id: int | None = None
    organization: str | None = None
    editable: bool | None = None
    nominee: Nominee | None = Field(None, description="Who is nominated: the person, or the organization (an award to a unit).")


class NominationOut(RegistrationOut):
    dossier: DossierOut


class AttachmentList(Out):
    items: list[AttachmentOut]


class AttachmentForm(Model):
    file: bytes = Field(description="PDF, JPEG or PNG.")


NOMINATION_EXAMPLE = {"person": {"name": "扎西", "id_type": "resident_id", "id_number": "11010519491231002X"},
                      "organization_id": 3, "dossier": {"achievements": "主持完成高原变电站带电作业技术改造……"}}

NOMINATORS = ("admin", "organizer", "org_contact")
READERS = ("admin", "organizer", "org_contact", "supervisor")
DOSSIER_READERS = (*READERS, "candidate")  # a candidate reads only their own (ops.can_view)


def _nomination(registration_id: int, *, write: bool = False) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    allowed = ops.nominating_side(reg, current_user) if write else ops.can_view(reg, current_user)
    if not allowed:
        abort(403)
    return reg


@bp.route("/events/<int:event_id>/nominations", methods=["POST"])
@roles(*NOMINATORS)
@doc(body=NominationIn, ok=(201, NominationOut), errors=(409,), example=NOMINATION_EXAMPLE)
def nominations_create(event_id: int):
    """Nominate a person for a title selection, with their dossier."""
    event = db.get_or_404(Event, event_id)
    if not ops.can_nominate(event, current_user):
        abort(403)
    reg = ops.nominate(event, body(), current_user)
    return jsonify({**registration_json(reg, current_user), "dossier": dossier_json(ops.dossier_of(reg))}), 201


@bp.route("/events/<int:event_id>/nominations", methods=["GET"])
@roles(*READERS)
@doc(query=PageQuery, ok=page_of(DossierOut))
def nominations_list(event_id: int):
    """The event's nominations with their dossiers."""
    event = db.get_or_404(Event, event_id)
    if manages(event.competition, current_user) or supervises(event.competition, current_user):
        stmt = nominations_query(event_id=event.id)
    elif current_user.has_role("org_contact") and current_user.organization_id:
        stmt = nominations_query(event_id=event.id, organization_id=current_user.organization_id)
    else:
        abort(403)
    return jsonify(paginate(stmt, lambda r: dossier_json(ops.dossier_of(r))))


@bp.route("/registrations/<int:registration_id>/dossier", methods=["GET"])
@roles(*DOSSIER_READERS)
@doc(ok=DossierOut)
def dossier_get(registration_id: int):
    """A nomination's dossier."""
    reg = _nomination(registration_id)
    return jsonify(dossier_json(ops.dossier_of(reg)))


@bp.route("/registrations/<int:registration_id>/dossier", methods=["PUT", "PATCH"])
@roles(*NOMINATORS)
@doc(body=DossierPatch, ok=DossierOut, errors=(409,), example={"honours": "2024年全国技术能手", "version": 2})
def dossier_update(registration_id: int):
    """Change the dossier's text (the nominating side, while it is editable)."""
    reg = _nomination(registration_id, write=True)
    data = body()
    dossier = ops.update_dossier(reg, data, data.get("version"), current_user)
    return jsonify(dossier_json(dossier))


@bp.route("/registrations/<int:registration_id>/dossier/attachments", methods=["GET"])
@roles(*DOSSIER_READERS)
@doc(ok=AttachmentList)
def dossier_attachments_list(registration_id: int):
    """The dossier's files."""
    reg = _nomination(registration_id)
    return jsonify({"items": [attachment_json(a) for a in ops.dossier_of(reg).attachments]})


@bp.route("/registrations/<int:registration_id>/dossier/attachments", methods=["POST"])
@roles(*NOMINATORS)
@doc(form=AttachmentForm, ok=(201, AttachmentOut), errors=(409,))
def dossier_attachments_create(registration_id: int):
    """Attach a file (PDF, JPEG, PNG) to the dossier."""
    reg = _nomination(registration_id, write=True)
    ops.dossier_of(reg)
    form()
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    att = ops.add_attachment(reg, upload.filename, upload.read(), current_user)
    return jsonify(attachment_json(att)), 201


@bp.route("/registrations/<int:registration_id>/dossier/attachments/<int:attachment_id>", methods=["GET"])
@roles(*DOSSIER_READERS)
@doc(ok={200: ("application/pdf", "image/jpeg", "image/png")})
def dossier_attachment_get(registration_id: int, attachment_id: int):
    """One file of the dossier."""
    reg = _nomination(registration_id)
    return file_response(ops.attachment_of(reg, attachment_id))


@bp.route("/registrations/<int:registration_id>/dossier/attachments/<int:attachment_id>", methods=["DELETE"])
@roles(*NOMINATORS)
@doc(ok=None, errors=(409,))
def dossier_attachment_delete(registration_id: int, attachment_id: int):
    """Remove a file from the dossier."""
    reg = _nomination(registration_id, write=True)
    ops.delete_attachment(reg, ops.attachment_of(reg, attachment_id), current_user)
    return "", 204


# ---- judges: from their own sheet only --------------------------------------------------------

def _judge_dossier(event_id: int, code: str):
    event = db.get_or_404(Event, event_id)
    sheet = ops.judge_sheet(event, code, current_user)
    if sheet is None:
        abort(403)  # not on the panel, recused or unknown code: the same answer
    return ops.dossier_of(sheet.registration)


@bp.route("/events/<int:event_id>/sheets/<code>/dossier", methods=["GET"])
@roles("judge")
@doc(ok=DossierOut)
def sheet_dossier(event_id: int, code: str):
    """The dossier of the entry behind a judge's sheet (by its code)."""
    return jsonify(dossier_json(_judge_dossier(event_id, code), for_judge=True))


@bp.route("/events/<int:event_id>/sheets/<code>/dossier/attachments/<int:attachment_id>", methods=["GET"])
@roles("judge")
@doc(ok={200: ("application/pdf", "image/jpeg", "image/png")})
def sheet_dossier_attachment(event_id: int, code: str, attachment_id: int):
    """A file of that dossier."""
    dossier = _judge_dossier(event_id, code)
    return file_response(ops.attachment_of(dossier.registration, attachment_id))

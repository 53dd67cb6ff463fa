"""API for judging's sheets: the panels a judge sits on, the sheets (saved, corrected by the chief
judge, submitted) and the photos of the work (the panel, draws, lock and decryption: api/judging.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ..competitions.access import supervises
from ..competitions.models import Event
from ..judging import evidence, operations as ops
from ..judging import queries as jq
from ..judging.queries import all_sheets, my_panels, my_sheets, sheet_by_code, sheet_json
from ..security import roles
from . import bp
from .contract import DecimalIn, Id, Int, Model, Out, body, choice, doc, form, page_of, query
from .idempotency import idempotent
from .judging import SHEET_STATUSES, _event
from .util import BadBody, query_int, text_field

OPENAPI_TAG = "judging"  # one group with api/judging.py in the OpenAPI document

class MyPanelOut(Out):
    event_id: int
    event: str
    competition_id: int
    role: Literal["judge", "chief_judge"]
    locked: bool


class SheetOut(Out):
    code: str | None
    station: int | None
    status: choice(SHEET_STATUSES)
    version: int
    scores: dict[str, Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$")] | None] = Field(
        description="criterion key → decimal string, or null when not entered")
    judge_id: int | None = None
    judge: str | None = None
    name: str | None = Field(None, description="Once names are revealed to the panel.")
    organization: str | None = None


class SheetQuery(Model):
    judge_id: Id | None = Field(None, description="The chief judge corrects another judge's sheet.")


class SheetIn(Model):
    scores: dict[str, DecimalIn | None] = Field(description="criterion key → decimal string (null clears)")
    version: Int | None = Field(None, description="The version read (stale → 409 stale_version with both sides).")
    reason: str | None = Field(None, max_length=1000, description="Required for a chief judge's correction.")


class SubmitIn(Model):
    version: Int | None = None


class PhotoForm(Model):
    criterion: str = Field(description="The criterion key.")
    file: bytes = Field(description="A JPEG or PNG photo (EXIF is dropped).")


class PhotoOut(Out):
    id: int
    criterion: str
    width: int
    height: int
    size: int
    sha256: str
    version: int
    status: choice(SHEET_STATUSES)


@bp.route("/me/panels", methods=["GET"])
@roles("judge", "chief_judge")
@doc(ok=page_of(MyPanelOut))
def panels_mine():
    """The panels the signed-in judge sits on."""
    items = [{"event_id": ev.id, "event": ev.name, "competition_id": ev.competition_id, "role": pm.role,
              "locked": ev.locked_at is not None} for pm, ev in my_panels(current_user)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/sheets", methods=["GET"])
@roles("judge", "chief_judge", "supervisor", "admin")
@doc(ok=page_of(SheetOut))
def sheets_list(event_id: int):
    """The sheets: a judge's own, or all of them for the chief judge and the supervisors."""
    event = _event(event_id)
    role = jq.panel_role(event, current_user)
    if role == "judge":
        sheets = [sheet_json(s, event, with_names=True) for s in my_sheets(event, current_user)]
    elif role == "chief_judge" or supervises(event.competition, current_user):
        sheets = [sheet_json(s, event, with_judge=True, with_names=True) for s in all_sheets(event)]
    else:
        abort(403)
    return jsonify({"items": sheets, "page": 1, "per_page": len(sheets), "total": len(sheets)})


def _sheet_for(event: Event, code: str):
    judge_id = query_int("judge_id") if "judge_id" in request.args else None
    role = jq.panel_role(event, current_user)
    if judge_id is not None and judge_id != current_user.id:
        if role != "chief_judge":
            abort(403)
    elif role != "judge":
        abort(403)
    sheet = sheet_by_code(event, code, judge_id if judge_id is not None else current_user.id)
    if sheet is None:
        # Not on the panel for this code (recused, or no such code): the same answer either way.
        abort(403 if judge_id is None else 404)
    return sheet, judge_id is not None and judge_id != current_user.id


@bp.route("/events/<int:event_id>/sheets/<code>", methods=["PUT"])
@roles("judge", "chief_judge")
@idempotent
@doc(query=SheetQuery, body=SheetIn, ok=SheetOut, errors=(409,), idempotent=True,
     example={"scores": {"P1": "2", "P2": "41.5"}, "version": 3})
def sheets_save(event_id: int, code: str):
    """A judge saves their sheet for an entry (by its code); the chief judge corrects a submitted
    sheet with ?judge_id= and a reason. A stale version is a 409 `stale_version` with both sides."""
    event = _event(event_id)
    query()
    sheet, as_chief = _sheet_for(event, code)
    data = body()
    if as_chief:
        ops.correct_sheet(sheet, data.get("scores"), data.get("version"), text_field(data, "reason"), current_user)
    else:
        ops.save_sheet(sheet, data.get("scores"), data.get("version"), current_user)
    return jsonify(sheet_json(sheet, event, with_judge=as_chief))


@bp.route("/events/<int:event_id>/sheets/<code>/submit", methods=["POST"])
@roles("judge")
@idempotent
@doc(body=SubmitIn, body_optional=True, ok=SheetOut, errors=(409,), idempotent=True, example={"version": 4})
def sheets_submit(event_id: int, code: str):
    """Submit the sheet (every criterion filled, else 422)."""
    event = _event(event_id)
    sheet, _as_chief = _sheet_for(event, code)
    data = body()
    ops.submit_sheet(sheet, data.get("version", sheet.version), current_user)
    return jsonify(sheet_json(sheet, event))


@bp.route("/events/<int:event_id>/sheets/<code>/photos", methods=["POST"])
@roles("judge")
@idempotent
@doc(form=PhotoForm, ok=(201, PhotoOut), errors=(409,), idempotent=True)
def sheet_photos_create(event_id: int, code: str):
    """A photo of the work for one criterion (multipart: criterion, file); EXIF is dropped."""
    event = _event(event_id)
    sheet, _as_chief = _sheet_for(event, code)
    form()
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    photo = evidence.add_photo(sheet, request.form.get("criterion"), upload.read(), current_user)
    return jsonify({"id": photo.id, "criterion": photo.criterion_key, "width": photo.width, "height": photo.height,
                    "size": photo.size, "sha256": photo.sha256, "version": sheet.version, "status": sheet.status}), 201

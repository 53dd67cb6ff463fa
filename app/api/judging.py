"""API for judging: panel, conflicts, draws, sheets, corrections, lock, decryption, audit and
imported scores (time used, attendance and the supervisor's re-check: api/judging_day.py)."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import timeutil, uow
from ..accounts.models import User
from ..audit.models import AuditEvent
from ..competitions.access import managed_event, manages, supervised_event, supervises
from ..competitions.models import Event
from ..extensions import db
from ..judging import evidence, operations as ops
from ..judging import queries as jq
from ..judging.access import oversees, overseen_event, panel_event
from ..judging.models import Conflict, PanelMember
from ..judging.queries import (all_sheets, audit_item, my_panels, my_sheets, panel_audit_filter, sealed_audit, sees_code_map, sheet_by_code, sheet_json)
from ..judging.score_import import import_scores
from ..security import requires_recent_auth, roles
from typing import Annotated, Literal

from pydantic import Field

from ..judging.models import CONFLICT_KINDS
from . import bp
from .competitions import AuditEventOut, audit_json
from .contract import (DateTime, DecimalIn, Id, Int, Model, Out, body, choice, doc, form, page_of, query)
from .idempotency import idempotent
from .registrations import UploadForm
from .util import BadBody, int_field, query_int, text_field

SHEET_STATUSES = ("draft", "submitted", "locked")


class CoverageWarning(Out):
    code: str | None = Field(description="The entry's code (null before the draw).")
    judges: int
    needed: int


class PanelIn(Model):
    user_id: Id
    role: Literal["judge", "chief_judge"]


class PanelMemberOut(Out):
    user_id: int
    name: str
    username: str
    role: Literal["judge", "chief_judge"]
    organization_id: int | None = Field(None, description="Withheld from the panel until decryption.")


class PanelAddedOut(PanelMemberOut):
    coverage_warnings: list[CoverageWarning]


class ConflictIn(Model):
    user_id: Id
    registration_id: Id
    kind: choice(CONFLICT_KINDS)
    note: str | None = Field(None, max_length=1000)


class ConflictOut(Out):
    id: int
    user_id: int
    registration_id: int
    kind: choice(CONFLICT_KINDS)
    note: str | None


class ConflictCreatedOut(ConflictOut):
    coverage_warnings: list[CoverageWarning]


class SeedIn(Model):
    seed: str | None = Field(None, max_length=200, description="Stored; the same seed gives the same draw.")


class DrawnOut(Out):
    drawn: int


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


class LockedOut(Out):
    locked_at: DateTime | None


class DecryptionOut(Out):
    state: Literal["none", "requested", "decrypted"]
    requested_role: str | None
    requested_at: DateTime | None
    decrypted_at: DateTime | None


class DisagreementOut(Out):
    code: str | None
    registration_id: int | None = Field(None, description="Once the code map may be seen.")
    criterion: str
    values: dict[str, str] = Field(description="judge id → decimal string")
    spread: str
    outliers: list[str]


class EventAuditQuery(Model):
    object_type: str | None = None
    object_id: Id | None = None


class ScoresImportOut(Out):
    imported: int


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def panel_json(pm: PanelMember) -> dict:
    return {"user_id": pm.user_id, "name": pm.user.name, "username": pm.user.username, "role": pm.role,
            "organization_id": pm.user.organization_id}


@bp.route("/events/<int:event_id>/panel", methods=["POST"])
@roles("admin", "organizer")
@doc(body=PanelIn, ok=(201, PanelAddedOut), errors=(409,), example={"user_id": 21, "role": "judge"})
def panel_add(event_id: int):
    """Put a judge or the chief judge on the event's panel."""
    event = managed_event(event_id)
    data = body()
    user_id = int_field(data, "user_id")
    pm = ops.add_panel_member(event, db.session.get(User, user_id) if user_id else None, text_field(data, "role"),
                              current_user)
    return jsonify({**panel_json(pm), "coverage_warnings": jq.coverage_warnings(event)}), 201


@bp.route("/events/<int:event_id>/panel", methods=["GET"])
@roles("admin", "organizer", "chief_judge", "supervisor", "judge")
@doc(ok=page_of(PanelMemberOut, coverage_warnings=(list[CoverageWarning], ...)))
def panel_list(event_id: int):
    """The event's panel, with the coverage warnings (entries with too few judges)."""
    event = _event(event_id)
    if not (oversees(event, current_user) or jq.panel_role(event, current_user)):
        abort(403)
    members = jq.panel(event)
    items = [panel_json(pm) for pm in members]
    if not sees_code_map(event, current_user):
        # The judges' organizations, next to who is recused from which code, would point at the
        # contestants' organizations: withheld from the panel until decryption.
        items = [{k: v for k, v in item.items() if k != "organization_id"} for item in items]
    return jsonify({"items": items, "page": 1, "per_page": len(members),
                    "total": len(members), "coverage_warnings": jq.coverage_warnings(event)})


@bp.route("/events/<int:event_id>/panel/<int:user_id>", methods=["DELETE"])
@roles("admin", "organizer")
@doc(ok=None, errors=(409,))
def panel_remove(event_id: int, user_id: int):
    """Take a judge off the panel (before any score)."""
    event = managed_event(event_id)
    pm = db.session.scalar(select(PanelMember).where(PanelMember.event_id == event.id, PanelMember.user_id == user_id))
    if pm is None:
        abort(404)
    ops.remove_panel_member(pm, current_user)
    return "", 204


@bp.route("/events/<int:event_id>/conflicts", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ConflictIn, ok=(201, ConflictCreatedOut), errors=(409,),
     example={"user_id": 21, "registration_id": 105, "kind": "trainer", "note": "曾为其教练"})
def conflicts_create(event_id: int):
    """Declare a conflict of interest (same-organization conflicts are automatic)."""
    event = managed_event(event_id)
    c = ops.declare_conflict(event, body(), current_user)
    return jsonify({"id": c.id, "user_id": c.user_id, "registration_id": c.registration_id, "kind": c.kind,
                    "note": c.note, "coverage_warnings": jq.coverage_warnings(event)}), 201


@bp.route("/events/<int:event_id>/conflicts", methods=["GET"])
@roles("admin", "organizer", "supervisor")
@doc(ok=page_of(ConflictOut))
def conflicts_list(event_id: int):
    """The event's declared and automatic conflicts of interest."""
    event = _event(event_id)
    if not (manages(event.competition, current_user) or supervises(event.competition, current_user)):
        abort(403)
    rows = db.session.scalars(select(Conflict).where(Conflict.event_id == event.id).order_by(Conflict.id)).all()
    items = [{"id": c.id, "user_id": c.user_id, "registration_id": c.registration_id, "kind": c.kind,
              "note": c.note} for c in rows]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/draw", methods=["POST"])
@roles("admin", "organizer")
@doc(body=SeedIn, body_optional=True, ok=DrawnOut, errors=(409,), example={"seed": "2026-05-01 公证处"})
def draw(event_id: int):
    """Draw the anonymous codes of the approved entries (the seed is stored)."""
    event = managed_event(event_id)
    n = ops.draw_codes(event, text_field(body(), "seed"), current_user)
    return jsonify({"drawn": n})


@bp.route("/events/<int:event_id>/stations", methods=["POST"])
@roles("admin", "organizer")
@doc(body=SeedIn, body_optional=True, ok=DrawnOut, errors=(409,), example={"seed": "工位-2026"})
def stations(event_id: int):
    """Draw the work stations of the entries."""
    event = managed_event(event_id)
    n = ops.draw_stations(event, text_field(body(), "seed"), current_user)
    return jsonify({"drawn": n})


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


@bp.route("/events/<int:event_id>/lock", methods=["POST"])
@roles("chief_judge")
@requires_recent_auth()
@doc(ok=LockedOut, errors=(409,))
def lock(event_id: int):
    """Lock the event's scores (every sheet submitted, else 409 `incomplete` listing them)."""
    event, _role = panel_event(event_id, "chief_judge")
    ops.lock_event(event, current_user)
    return jsonify({"locked_at": timeutil.iso(event.locked_at)})


def _decrypt(event: Event, role: str):
    try:
        ops.decrypt(event, current_user, role)
    except ops.SealMismatch:
        uow.commit()  # the refusal's audit record is kept although the request answers 409
        raise
    return jsonify(decryption_json(event))


def decryption_json(event: Event) -> dict:
    state = jq.decryption_state(event)
    return {"state": state["state"], "requested_role": state["requested_role"],
            "requested_at": timeutil.iso(state["requested_at"]), "decrypted_at": timeutil.iso(state["decrypted_at"])}


@bp.route("/events/<int:event_id>/decrypt", methods=["POST"])
@roles("chief_judge")
@requires_recent_auth()
@doc(ok=DecryptionOut, errors=(409,))
def decrypt(event_id: int):
    """The event's chief judge requests decryption, or confirms a supervisor's request."""
    event, _role = panel_event(event_id, "chief_judge")
    return _decrypt(event, "chief_judge")


@bp.route("/events/<int:event_id>/decrypt/confirm", methods=["POST"])
@roles("supervisor", "admin")
@requires_recent_auth()
@doc(ok=DecryptionOut, errors=(409,))
def decrypt_confirm(event_id: int):
    """A supervisor of the competition confirms the chief judge's request, or requests first."""
    return _decrypt(supervised_event(event_id), "supervisor")


@bp.route("/events/<int:event_id>/disagreements", methods=["GET"])
@roles("chief_judge", "supervisor", "admin")
@doc(ok=page_of(DisagreementOut))
def disagreements(event_id: int):
    """Judgement criteria where judges' values differ too much, per entry code."""
    event = _event(event_id)
    if not (jq.panel_role(event, current_user) == "chief_judge" or supervises(event.competition, current_user)):
        abort(403)
    items = jq.disagreements(event)
    if not sees_code_map(event, current_user):
        items = [{k: v for k, v in item.items() if k != "registration_id"} for item in items]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/audit", methods=["GET"])
@roles("chief_judge", "supervisor", "organizer", "admin")
@doc(query=EventAuditQuery, ok=page_of(AuditEventOut))
def event_audit(event_id: int):
    """Every change to the event's sheets, draws, lock and decryption (the chief judge before
    decryption: what does not reveal the code map)."""
    event = overseen_event(event_id)
    q = query()
    stmt = select(AuditEvent).where(AuditEvent.event_id == event.id).order_by(AuditEvent.seq)
    if q.object_type:
        stmt = stmt.where(AuditEvent.object_type == q.object_type)
    object_id = q.object_id
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if sees_code_map(event, current_user):
        items = [audit_json(ev) for ev in db.session.scalars(stmt)]
    else:
        # The chief judge before decryption: the panel-visible audit (domain.anonymity).
        rows = db.session.scalars(stmt.where(panel_audit_filter()))
        items = [{**item, "at": timeutil.iso(item.pop("created_at")), "actor": item.pop("actor_name")}
                 for item in sealed_audit(event, [audit_item(ev) for ev in rows])]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/scores/import", methods=["POST"])
@roles("admin", "organizer")
@doc(form=UploadForm, ok=(201, ScoresImportOut), errors=(409,))
def scores_import(event_id: int):
    """Import the scores of imported components (e.g. a theory exam) from a sheet (field `file`)."""
    event = managed_event(event_id)
    form()
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    n = import_scores(event, upload.read(), current_user, upload.filename or "")
    return jsonify({"imported": n}), 201

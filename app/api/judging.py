"""API for judging: panel, conflicts, draws, lock, decryption, audit and imported scores (the sheets,
corrections and photos: api/judging_sheets.py; time used, attendance and the supervisor's re-check:
api/judging_day.py)."""
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
from ..judging import operations as ops
from ..judging import queries as jq
from ..judging.access import oversees, overseen_event, panel_event
from ..judging.models import Conflict, PanelMember
from ..judging.queries import (audit_item, panel_audit_filter, sealed_audit, sees_code_map)
from ..judging.score_import import import_scores
from ..security import requires_recent_auth, roles
from typing import Literal

from pydantic import Field

from ..judging.models import CONFLICT_KINDS
from . import bp
from .competitions import AuditEventOut, audit_json
from .contract import (DateTime, Id, Model, Out, body, choice, doc, form, page_of, query)
from .registrations import UploadForm
from .util import BadBody, int_field, text_field

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

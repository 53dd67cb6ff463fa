"""API for judging: panel, conflicts, draws, sheets, corrections, lock, decryption, audit,
imported scores, time used and the supervisor's re-check."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import timeutil, uow
from ..accounts.models import User
from ..audit.models import AuditEvent
from ..competitions.access import managed_event, manages, supervised_event, supervises
from ..domain.errors import N_
from ..competitions.models import Event
from ..extensions import db
from ..judging import evidence, operations as ops
from ..judging import queries as jq
from ..judging.access import oversees, overseen_event, panel_event
from ..judging.models import Conflict, PanelMember, RecheckItem
from ..judging.queries import (all_sheets, audit_item, my_panels, my_sheets, panel_audit_filter, recheck_of,
                               sealed_audit, sees_code_map, sheet_by_code, sheet_json)
from ..judging.score_import import import_scores
from ..registration.models import Registration
from ..results import operations as results
from ..security import requires_recent_auth, roles
from . import bp
from .competitions import audit_json
from .idempotency import idempotent
from .util import BadBody, int_field, json_body, query_int, text_field


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def panel_json(pm: PanelMember) -> dict:
    return {"user_id": pm.user_id, "name": pm.user.name, "username": pm.user.username, "role": pm.role,
            "organization_id": pm.user.organization_id}


@bp.route("/events/<int:event_id>/panel", methods=["POST"])
@roles("admin", "organizer")
def panel_add(event_id: int):
    event = managed_event(event_id)
    data = json_body()
    user_id = int_field(data, "user_id")
    pm = ops.add_panel_member(event, db.session.get(User, user_id) if user_id else None, text_field(data, "role"),
                              current_user)
    return jsonify({**panel_json(pm), "coverage_warnings": jq.coverage_warnings(event)}), 201


@bp.route("/events/<int:event_id>/panel", methods=["GET"])
@roles("admin", "organizer", "chief_judge", "supervisor", "judge")
def panel_list(event_id: int):
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
def panel_remove(event_id: int, user_id: int):
    event = managed_event(event_id)
    pm = db.session.scalar(select(PanelMember).where(PanelMember.event_id == event.id, PanelMember.user_id == user_id))
    if pm is None:
        abort(404)
    ops.remove_panel_member(pm, current_user)
    return "", 204


@bp.route("/events/<int:event_id>/conflicts", methods=["POST"])
@roles("admin", "organizer")
def conflicts_create(event_id: int):
    event = managed_event(event_id)
    c = ops.declare_conflict(event, json_body(), current_user)
    return jsonify({"id": c.id, "user_id": c.user_id, "registration_id": c.registration_id, "kind": c.kind,
                    "note": c.note, "coverage_warnings": jq.coverage_warnings(event)}), 201


@bp.route("/events/<int:event_id>/conflicts", methods=["GET"])
@roles("admin", "organizer", "supervisor")
def conflicts_list(event_id: int):
    event = _event(event_id)
    if not (manages(event.competition, current_user) or supervises(event.competition, current_user)):
        abort(403)
    rows = db.session.scalars(select(Conflict).where(Conflict.event_id == event.id).order_by(Conflict.id)).all()
    items = [{"id": c.id, "user_id": c.user_id, "registration_id": c.registration_id, "kind": c.kind,
              "note": c.note} for c in rows]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/draw", methods=["POST"])
@roles("admin", "organizer")
def draw(event_id: int):
    event = managed_event(event_id)
    n = ops.draw_codes(event, text_field(json_body(optional=True), "seed"), current_user)
    return jsonify({"drawn": n})


@bp.route("/events/<int:event_id>/stations", methods=["POST"])
@roles("admin", "organizer")
def stations(event_id: int):
    event = managed_event(event_id)
    n = ops.draw_stations(event, text_field(json_body(optional=True), "seed"), current_user)
    return jsonify({"drawn": n})


@bp.route("/me/panels", methods=["GET"])
@roles("judge", "chief_judge")
def panels_mine():
    items = [{"event_id": ev.id, "event": ev.name, "competition_id": ev.competition_id, "role": pm.role,
              "locked": ev.locked_at is not None} for pm, ev in my_panels(current_user)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/sheets", methods=["GET"])
@roles("judge", "chief_judge", "supervisor", "admin")
def sheets_list(event_id: int):
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
    judge_id = query_int("judge_id")
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
def sheets_save(event_id: int, code: str):
    event = _event(event_id)
    sheet, as_chief = _sheet_for(event, code)
    data = json_body()
    if as_chief:
        ops.correct_sheet(sheet, data.get("scores"), data.get("version"), text_field(data, "reason"), current_user)
    else:
        ops.save_sheet(sheet, data.get("scores"), data.get("version"), current_user)
    return jsonify(sheet_json(sheet, event, with_judge=as_chief))


@bp.route("/events/<int:event_id>/sheets/<code>/submit", methods=["POST"])
@roles("judge")
@idempotent
def sheets_submit(event_id: int, code: str):
    event = _event(event_id)
    sheet, _as_chief = _sheet_for(event, code)
    data = json_body(optional=True)
    ops.submit_sheet(sheet, data.get("version", sheet.version), current_user)
    return jsonify(sheet_json(sheet, event))


@bp.route("/events/<int:event_id>/sheets/<code>/photos", methods=["POST"])
@roles("judge")
@idempotent
def sheet_photos_create(event_id: int, code: str):
    """A photo of the work for one criterion (multipart: criterion, file); EXIF is dropped."""
    event = _event(event_id)
    sheet, _as_chief = _sheet_for(event, code)
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    photo = evidence.add_photo(sheet, request.form.get("criterion"), upload.read(), current_user)
    return jsonify({"id": photo.id, "criterion": photo.criterion_key, "width": photo.width, "height": photo.height,
                    "size": photo.size, "sha256": photo.sha256, "version": sheet.version, "status": sheet.status}), 201


@bp.route("/events/<int:event_id>/lock", methods=["POST"])
@roles("chief_judge")
@requires_recent_auth()
def lock(event_id: int):
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
def decrypt(event_id: int):
    """The event's chief judge requests decryption, or confirms a supervisor's request."""
    event, _role = panel_event(event_id, "chief_judge")
    return _decrypt(event, "chief_judge")


@bp.route("/events/<int:event_id>/decrypt/confirm", methods=["POST"])
@roles("supervisor", "admin")
@requires_recent_auth()
def decrypt_confirm(event_id: int):
    """A supervisor of the competition confirms the chief judge's request, or requests first."""
    return _decrypt(supervised_event(event_id), "supervisor")


@bp.route("/events/<int:event_id>/disagreements", methods=["GET"])
@roles("chief_judge", "supervisor", "admin")
def disagreements(event_id: int):
    event = _event(event_id)
    if not (jq.panel_role(event, current_user) == "chief_judge" or supervises(event.competition, current_user)):
        abort(403)
    items = jq.disagreements(event)
    if not sees_code_map(event, current_user):
        items = [{k: v for k, v in item.items() if k != "registration_id"} for item in items]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/events/<int:event_id>/audit", methods=["GET"])
@roles("chief_judge", "supervisor", "organizer", "admin")
def event_audit(event_id: int):
    event = overseen_event(event_id)
    stmt = select(AuditEvent).where(AuditEvent.event_id == event.id).order_by(AuditEvent.seq)
    if request.args.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == request.args["object_type"])
    object_id = query_int("object_id")
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
def scores_import(event_id: int):
    event = managed_event(event_id)
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    n = import_scores(event, upload.read(), current_user, upload.filename or "")
    return jsonify({"imported": n}), 201


@bp.route("/registrations/<int:registration_id>/time-used", methods=["POST"])
@roles("chief_judge")
def time_used(registration_id: int):
    """By registration id: only once names are revealed (before that it would tell the chief judge
    which code a registration has); use /events/{id}/entries/{code}/time-used."""
    reg = db.get_or_404(Registration, registration_id)
    event, _role = panel_event(reg.event_id, "chief_judge")
    if not sees_code_map(event, current_user):
        raise ops.JudgingStateError(N_("Until the names are decrypted, address the entry by its code "
                                       "(POST /events/{id}/entries/{code}/time-used)."))
    ops.set_time_used(reg, json_body().get("time_used"), current_user)
    return jsonify({"registration_id": reg.id, "code": reg.code, "time_used": reg.time_used})


def _entry(event: Event, code: str) -> Registration:
    reg = jq.entry_by_code(event, code)
    if reg is None:
        abort(404)
    return reg


@bp.route("/events/<int:event_id>/entries/<code>/time-used", methods=["POST"])
@roles("chief_judge")
def entry_time_used(event_id: int, code: str):
    event, _role = panel_event(event_id, "chief_judge")
    reg = _entry(event, code)
    ops.set_time_used(reg, json_body().get("time_used"), current_user)
    return jsonify({"code": reg.code, "time_used": reg.time_used})


def attendance_json(reg: Registration) -> dict:
    return {"code": reg.code, "attendance": reg.attendance, "reason": reg.attendance_reason,
            "marked_at": timeutil.iso(reg.attendance_marked_at),
            "confirmed": reg.attendance_confirmed_at is not None,
            "confirmed_at": timeutil.iso(reg.attendance_confirmed_at), "excluded": reg.excluded}


@bp.route("/events/<int:event_id>/entries/<code>/attendance", methods=["POST"])
@roles("chief_judge")
def entry_attendance(event_id: int, code: str):
    """The chief judge marks an entry absent or disqualified ({status, reason}), or clears the
    mark (status null), before the lock."""
    event, _role = panel_event(event_id, "chief_judge")
    reg = _entry(event, code)
    data = json_body()
    ops.mark_attendance(event, reg, data.get("status"), text_field(data, "reason"), current_user)
    return jsonify(attendance_json(reg))


@bp.route("/events/<int:event_id>/entries/<code>/attendance/confirm", methods=["POST"])
@roles("supervisor", "admin")
def entry_attendance_confirm(event_id: int, code: str):
    """A supervisor of the competition confirms a disqualification."""
    event = supervised_event(event_id)
    reg = _entry(event, code)
    ops.confirm_disqualification(event, reg, current_user)
    return jsonify(attendance_json(reg))


def recheck_json(event: Event) -> dict | None:
    recheck = recheck_of(event)
    if recheck is None:
        return None
    rate = jq.error_rate(recheck)
    return {"seed": recheck.seed, "top_n": recheck.top_n, "share": str(recheck.share),
            "full_required": recheck.full_required, "error_rate": None if rate is None else str(rate),
            "items": [{"id": i.id, "registration_id": i.registration_id, "code": i.registration.code,
                       "reason": i.reason, "status": i.status, "note": i.note} for i in recheck.items]}


@bp.route("/events/<int:event_id>/recheck", methods=["POST"])
@roles("supervisor")
def recheck_draw(event_id: int):
    event = supervised_event(event_id)
    data = json_body(optional=True)
    results.draw_recheck(event, text_field(data, "seed"), data.get("top_n"), data.get("share"), current_user)
    return jsonify(recheck_json(event)), 201


@bp.route("/events/<int:event_id>/recheck", methods=["GET"])
@roles("supervisor", "chief_judge", "organizer", "admin")
def recheck_get(event_id: int):
    event = overseen_event(event_id)
    body = recheck_json(event)
    if body is None:
        abort(404)
    if not sees_code_map(event, current_user):
        body = {**{k: v for k, v in body.items() if k != "seed"},
                "items": [{k: v for k, v in i.items() if k not in ("registration_id", "id")} for i in body["items"]]}
    return jsonify(body)


@bp.route("/recheck-items/<int:item_id>", methods=["POST"])
@roles("supervisor")
def recheck_mark(item_id: int):
    item = db.get_or_404(RecheckItem, item_id)
    event = supervised_event(item.recheck.event_id)
    data = json_body()
    ops.mark_recheck(item, text_field(data, "status"), text_field(data, "note"), current_user)
    return jsonify(recheck_json(event))

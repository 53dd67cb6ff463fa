"""API for competitions, events, life-cycle moves and the audit log."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import AuditEvent
from ..competitions import operations
from ..competitions.access import (managed_competition, managed_competitions, managed_event,
                                   supervised_competition_ids, supervisors_of)
from ..competitions.models import Competition, CompetitionSupervisor
from ..domain import lifecycle
from ..extensions import db
from ..security import REAUTH_STATUSES, requires_recent_auth, roles
from .. import timeutil
from . import bp
from .util import competition_json, event_json, int_field, json_body, paginate, text_field

MANAGERS = ("admin", "organizer")


@bp.route("/competitions", methods=["POST"])
@roles(*MANAGERS)
def competitions_create():
    comp = operations.create_competition(json_body(), current_user)
    return jsonify(competition_json(comp)), 201


@bp.route("/competitions", methods=["GET"])
@roles(*MANAGERS)
def competitions_list():
    stmt = managed_competitions(current_user).order_by(None).order_by(Competition.id)
    status = request.args.get("status")
    if status in lifecycle.STATUSES:
        stmt = stmt.where(Competition.status == status)
    return jsonify(paginate(stmt, competition_json))


@bp.route("/competitions/<int:competition_id>", methods=["GET"])
@roles(*MANAGERS)
def competitions_get(competition_id: int):
    return jsonify(competition_json(managed_competition(competition_id)))


@bp.route("/competitions/<int:competition_id>", methods=["PATCH"])
@roles(*MANAGERS)
def competitions_update(competition_id: int):
    comp = managed_competition(competition_id)
    operations.update_competition(comp, json_body(), current_user)
    return jsonify(competition_json(comp))


def supervisor_json(row: CompetitionSupervisor) -> dict:
    return {"user_id": row.user_id, "name": row.user.name, "username": row.user.username,
            "assigned_at": timeutil.iso(row.created_at)}


@bp.route("/competitions/<int:competition_id>/supervisors", methods=["GET"])
@roles(*MANAGERS)
def supervisors_list(competition_id: int):
    items = [supervisor_json(r) for r in supervisors_of(managed_competition(competition_id))]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/competitions/<int:competition_id>/supervisors", methods=["POST"])
@roles(*MANAGERS)
def supervisors_add(competition_id: int):
    comp = managed_competition(competition_id)
    user_id = int_field(json_body(), "user_id")
    row = operations.assign_supervisor(comp, db.session.get(User, user_id) if user_id else None, current_user)
    return jsonify(supervisor_json(row)), 201


@bp.route("/competitions/<int:competition_id>/supervisors/<int:user_id>", methods=["DELETE"])
@roles(*MANAGERS)
def supervisors_remove(competition_id: int, user_id: int):
    comp = managed_competition(competition_id)
    row = db.session.scalar(select(CompetitionSupervisor).where(
        CompetitionSupervisor.competition_id == comp.id, CompetitionSupervisor.user_id == user_id))
    if row is None:
        abort(404)
    operations.unassign_supervisor(row, current_user)
    return "", 204


def _requested_status():
    body = request.get_json(silent=True)
    status = body.get("status") if isinstance(body, dict) else None
    return status if isinstance(status, str) else None


@bp.route("/competitions/<int:competition_id>/status", methods=["POST"])
@roles(*MANAGERS)
@requires_recent_auth(when=lambda: _requested_status() in REAUTH_STATUSES)
def competitions_status(competition_id: int):
    comp = managed_competition(competition_id)
    data = json_body()
    operations.change_status(comp, text_field(data, "status"), current_user,
                             reason=(text_field(data, "reason").strip()[:500] or None),
                             version=data.get("version"))
    return jsonify(competition_json(comp))


@bp.route("/competitions/<int:competition_id>/events", methods=["POST"])
@roles(*MANAGERS)
def events_create(competition_id: int):
    comp = managed_competition(competition_id)
    event = operations.create_event(comp, json_body(), current_user)
    return jsonify(event_json(event)), 201


@bp.route("/competitions/<int:competition_id>/events", methods=["GET"])
@roles(*MANAGERS)
def events_list(competition_id: int):
    comp = managed_competition(competition_id)
    return jsonify({"items": [event_json(e) for e in comp.events], "page": 1,
                    "per_page": len(comp.events), "total": len(comp.events)})


@bp.route("/events/<int:event_id>", methods=["GET"])
@roles(*MANAGERS)
def events_get(event_id: int):
    return jsonify(event_json(managed_event(event_id)))


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@roles(*MANAGERS)
def events_update(event_id: int):
    event = managed_event(event_id)
    operations.update_event(event, json_body(), current_user)
    return jsonify(event_json(event))


def audit_json(ev: AuditEvent) -> dict:
    return {"seq": ev.seq, "at": timeutil.iso(ev.created_at), "actor_id": ev.actor_id, "actor": ev.actor_name,
            "action": ev.action, "object_type": ev.object_type, "object_id": ev.object_id,
            "competition_id": ev.competition_id, "event_id": ev.event_id,
            "before": ev.before, "after": ev.after, "reason": ev.reason, "hash": ev.hash}


@bp.route("/audit", methods=["GET"])
@roles("admin", "supervisor")
def audit_list():
    stmt = select(AuditEvent).order_by(AuditEvent.seq)
    if not current_user.has_role("admin"):  # a supervisor reads the trail of their competitions
        stmt = stmt.where(AuditEvent.competition_id.in_(supervised_competition_ids(current_user)))
    for name in ("competition_id", "event_id", "object_id"):
        value = request.args.get(name, type=int)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    if request.args.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == request.args["object_type"])
    return jsonify(paginate(stmt, audit_json))

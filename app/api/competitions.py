"""API for competitions, events, life-cycle moves and the audit log."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from ..audit.models import AuditEvent
from ..competitions import operations
from ..competitions.models import Competition, Event
from ..domain import lifecycle
from ..extensions import db
from ..security import REAUTH_STATUSES, requires_recent_auth, roles
from .. import timeutil
from . import bp
from .util import competition_json, event_json, json_body, paginate

MANAGERS = ("admin", "organizer")


def _manageable(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if not comp.can_manage(current_user):
        abort(403)
    return comp


@bp.route("/competitions", methods=["POST"])
@roles(*MANAGERS)
def competitions_create():
    comp = operations.create_competition(json_body(), current_user)
    db.session.commit()
    return jsonify(competition_json(comp)), 201


@bp.route("/competitions", methods=["GET"])
@roles(*MANAGERS)
def competitions_list():
    stmt = select(Competition).order_by(Competition.id)
    if not current_user.has_role("admin"):
        stmt = stmt.where((Competition.host_organization_id == current_user.organization_id)
                          | Competition.host_organization_id.is_(None))
    status = request.args.get("status")
    if status in lifecycle.STATUSES:
        stmt = stmt.where(Competition.status == status)
    return jsonify(paginate(stmt, competition_json))


@bp.route("/competitions/<int:competition_id>", methods=["GET"])
@roles(*MANAGERS)
def competitions_get(competition_id: int):
    return jsonify(competition_json(_manageable(competition_id)))


@bp.route("/competitions/<int:competition_id>", methods=["PATCH"])
@roles(*MANAGERS)
def competitions_update(competition_id: int):
    comp = _manageable(competition_id)
    operations.update_competition(comp, json_body(), current_user)
    db.session.commit()
    return jsonify(competition_json(comp))


def _requested_status():
    body = request.get_json(silent=True)
    status = body.get("status") if isinstance(body, dict) else None
    return status if isinstance(status, str) else None


@bp.route("/competitions/<int:competition_id>/status", methods=["POST"])
@roles(*MANAGERS)
@requires_recent_auth(when=lambda: _requested_status() in REAUTH_STATUSES)
def competitions_status(competition_id: int):
    comp = _manageable(competition_id)
    data = json_body()
    operations.change_status(comp, str(data.get("status") or ""), current_user,
                             reason=(str(data.get("reason") or "").strip()[:500] or None),
                             version=data.get("version"))
    db.session.commit()
    return jsonify(competition_json(comp))


@bp.route("/competitions/<int:competition_id>/events", methods=["POST"])
@roles(*MANAGERS)
def events_create(competition_id: int):
    comp = _manageable(competition_id)
    event = operations.create_event(comp, json_body(), current_user)
    db.session.commit()
    return jsonify(event_json(event)), 201


@bp.route("/competitions/<int:competition_id>/events", methods=["GET"])
@roles(*MANAGERS)
def events_list(competition_id: int):
    comp = _manageable(competition_id)
    return jsonify({"items": [event_json(e) for e in comp.events], "page": 1,
                    "per_page": len(comp.events), "total": len(comp.events)})


@bp.route("/events/<int:event_id>", methods=["GET"])
@roles(*MANAGERS)
def events_get(event_id: int):
    event = db.get_or_404(Event, event_id)
    _manageable(event.competition_id)
    return jsonify(event_json(event))


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@roles(*MANAGERS)
def events_update(event_id: int):
    event = db.get_or_404(Event, event_id)
    _manageable(event.competition_id)
    operations.update_event(event, json_body(), current_user)
    db.session.commit()
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
    for name in ("competition_id", "event_id", "object_id"):
        value = request.args.get(name, type=int)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    if request.args.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == request.args["object_type"])
    return jsonify(paginate(stmt, audit_json))

"""The audit log page (admin, supervisor; organizers for their competitions)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..competitions.access import supervised_competition_ids
from ..extensions import db
from ..security import roles
from . import bp
from .describe import ACTIONS, area_label, describe, names_for
from .models import AuditEvent


@bp.route("/manage/audit")
@roles("admin", "supervisor")
def index():
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if not current_user.has_role("admin"):  # a supervisor reads the trail of their competitions
        stmt = stmt.where(AuditEvent.competition_id.in_(supervised_competition_ids(current_user)))
    filters = {}
    for name in ("competition_id", "event_id", "object_id", "actor_id"):
        value = request.args.get(name, type=int)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
            filters[name] = value
    object_type = request.args.get("object_type", "").strip()
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
        filters["object_type"] = object_type
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
        filters["action"] = action
    page = db.paginate(stmt, per_page=100, error_out=False)
    names = names_for(page.items)
    return render_template("audit/index.html", page=page, filters=filters,
                           rows=[(ev, describe(ev, names)) for ev in page.items],
                           areas=sorted({a.split(".")[0] for a in ACTIONS}), audit_area=area_label)

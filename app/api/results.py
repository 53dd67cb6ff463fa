"""API for results, tie resolution, appeals and the public portal (no token, rate-limited)."""
from __future__ import annotations

import json

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import cache, timeutil
from ..competitions.access import managed_event, manages, supervised_competition_ids, supervised_event, supervises
from ..competitions.models import Event
from ..extensions import db, limiter
from ..judging import queries as jq
from ..judging.access import panel_event
from ..registration.models import Registration
from ..results import operations
from ..results.lookup import lookup
from ..results.models import Appeal
from ..results.public import public_competitions, public_results
from ..results.views import _rows_for, lookup_limit
from ..security import api_error, public, requires_recent_auth, roles
from . import bp
from .util import int_field, json_body, paginate, text_field


def result_item(row: dict, reg: Registration) -> dict:
    return {"registration_id": row["registration_id"], "code": row["code"],
            "name": reg.team_name or reg.person.name, "organization": reg.organization.name if reg.organization else None,
            "components": row["components"], "total": str(row["total"]), "rank": row["rank"], "award": row["award"],
            "standardized": row["standardized"], "tie_unresolved": bool(row.get("tie_group")), "status": "ranked",
            "aggregation_note": row.get("aggregation_note")}


def excluded_item(reg: Registration) -> dict:
    """An entry marked absent or disqualified: listed without rank, total or award."""
    return {"registration_id": reg.id, "code": reg.code, "name": reg.team_name or reg.person.name,
            "organization": reg.organization.name if reg.organization else None, "components": {},
            "total": None, "rank": None, "award": None, "standardized": None, "tie_unresolved": False,
            "status": reg.attendance, "reason": reg.attendance_reason, "aggregation_note": None}


SEALED_RESULT_FIELDS = ("registration_id", "name", "organization", "reason")


@bp.route("/events/<int:event_id>/results", methods=["GET"])
@roles("admin", "organizer", "chief_judge", "supervisor")
def results_get(event_id: int):
    event = db.get_or_404(Event, event_id)
    allowed = (manages(event.competition, current_user) or supervises(event.competition, current_user)
               or jq.panel_role(event, current_user) == "chief_judge")
    if not allowed:
        abort(403)
    if event.locked_at is None and not operations.stored(event):
        return api_error(409, "not_locked", _("Results are available once the chief judge locks the event."))
    rows, status = _rows_for(event)
    regs = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))}
    items = [result_item(r, regs[r["registration_id"]]) for r in rows] + [
        excluded_item(reg) for reg in operations.excluded_entries(event)]
    only_panel = not (manages(event.competition, current_user) or supervises(event.competition, current_user))
    if only_panel and event.decrypted_at is None:
        # The chief judge before decryption: codes only, nothing that reveals who is behind them.
        items = [{k: v for k, v in item.items() if k not in SEALED_RESULT_FIELDS} for item in items]
    return jsonify({"status": status, "items": items,
                    "verified": operations.verify_snapshot(event) if status != "provisional" else None})


@bp.route("/events/<int:event_id>/ties", methods=["POST"])
@roles("chief_judge")
def ties_resolve(event_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    data = json_body()
    order = data.get("order") if isinstance(data.get("order"), list) else []
    # The order is given by codes; registration ids only once names are revealed to the panel.
    ids = operations.ids_for_codes(event, order, allow_ids=jq.names_visible_to_panel(event))
    row = operations.resolve_tie(event, ids, text_field(data, "reason"), current_user)
    codes = jq.code_map(event)
    body = {"id": row.id, "order": [codes.get(rid) for rid in row.order], "reason": row.reason}
    if jq.names_visible_to_panel(event):
        body["registration_ids"] = row.order
    return jsonify(body), 201


def appeal_json(a: Appeal) -> dict:
    return {"id": a.id, "registration_id": a.registration_id, "event_id": a.event_id, "status": a.status,
            "reason": a.reason, "decision_note": a.decision_note, "created_at": timeutil.iso(a.created_at),
            "decided_at": timeutil.iso(a.decided_at)}


@bp.route("/registrations/<int:registration_id>/appeals", methods=["POST"])
@roles("candidate", "org_contact")
def appeals_create(registration_id: int):
    reg = db.get_or_404(Registration, registration_id)
    appeal = operations.file_appeal(reg, text_field(json_body(), "reason"), current_user)
    return jsonify(appeal_json(appeal)), 201


@bp.route("/appeals", methods=["GET"])
@roles("supervisor", "admin")
def appeals_list():
    stmt = select(Appeal).where(Appeal.competition_id.in_(supervised_competition_ids(current_user))).order_by(Appeal.id)
    if request.args.get("status"):
        stmt = stmt.where(Appeal.status == request.args["status"])
    return jsonify(paginate(stmt, appeal_json))


@bp.route("/appeals/<int:appeal_id>/decision", methods=["POST"])
@roles("supervisor")
def appeals_decide(appeal_id: int):
    appeal = db.get_or_404(Appeal, appeal_id)
    supervised_event(appeal.event_id)
    data = json_body()
    operations.decide_appeal(appeal, text_field(data, "decision"), text_field(data, "note"), current_user)
    return jsonify(appeal_json(appeal))


@bp.route("/events/<int:event_id>/advance", methods=["POST"])
@roles("admin", "organizer")
def advance(event_id: int):
    from ..results.advancement import advance as run_advance
    source = managed_event(event_id)  # authorization before the body (API.md)
    data = json_body()
    target_id = int_field(data, "target_event_id", required=False)
    target = db.session.get(Event, target_id) if target_id else None
    if target is None:
        return api_error(422, "validation_error", _("Please correct the errors below."),
                         {"target_event_id": [_("Choose the event the contestants advance to.")]})
    if not (source.competition.can_manage(current_user) and target.competition.can_manage(current_user)):
        abort(403)
    result = run_advance(source, target, data, current_user, dry_run=bool(data.get("dry_run")))
    return jsonify(result), 200 if result["dry_run"] else 201


# ---- public -----------------------------------------------------------------------------------

@bp.route("/public/competitions", methods=["GET"])
@public
def public_competitions_list():
    items = public_competitions()
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/public/competitions/<int:competition_id>/results", methods=["GET"])
@public
def public_competition_results(competition_id: int):
    # Served as cached bytes: on results day this is parsed and re-serialized by nobody.
    key = f"{cache.results_key(competition_id)}:json"
    raw = cache.get(key)
    if raw is None:
        data = public_results(competition_id)
        if data is None:
            abort(404)
        raw = json.dumps(data, ensure_ascii=False)
        cache.set(key, raw)
    return Response(raw, mimetype="application/json")




@bp.route("/public/lookup", methods=["POST"])
@public
@limiter.limit(lookup_limit)
def public_lookup():
    data = request.get_json(silent=True)
    found = None
    if isinstance(data, dict):
        found = lookup(str(data.get("name") or ""), str(data.get("id_number") or ""))
    if not found:
        # One answer for every mismatch (wrong name, wrong or malformed number): no oracle.
        body = {"error": {"code": "not_found", "message": _("No result matches this name and ID number.")}}
        response = jsonify(body)
        response.status_code = 404
    else:
        response = jsonify({"results": found})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<int:event_id>/final-corrections", methods=["POST"])
@roles("supervisor")
@requires_recent_auth()
def final_corrections_create(event_id: int):
    event = supervised_event(event_id)
    data = json_body()
    corr = operations.open_final_correction(event, text_field(data, "reason"), current_user,
                                            int_field(data, "appeal_id", required=False))
    return jsonify({"id": corr.id, "event_id": corr.event_id, "reason": corr.reason,
                    "opened_at": timeutil.iso(corr.opened_at), "closed_at": None}), 201

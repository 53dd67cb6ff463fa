"""API for policies, entitlements (registry, roster, status) and talent records."""
from __future__ import annotations

from flask import Response, jsonify, request

from .. import timeutil
from ..domain.masking import mask_id_number
from ..extensions import db
from ..people.models import Person
from ..registration.exports import attachment
from ..people.access import visible_person
from ..security import roles
from ..selection import operations
from ..selection.access import managed_entitlement
from ..selection.models import Entitlement
from ..selection.views import ROSTER_HEADERS, XLSX, registry_for, roster_pdf_response, roster_rows
from ..spreadsheets import write_xlsx
from flask_login import current_user
from . import bp
from .util import json_body, paginate, text_field


@bp.route("/policies", methods=["GET"])
@roles("admin", "organizer")
def policies_list():
    items = []
    for s in operations.policy_sets().values():
        items.append({"jurisdiction": s.jurisdiction, "name": s.name, "version": s.version,
                      "effective_from": s.effective_from.isoformat(),
                      "effective_to": s.effective_to.isoformat() if s.effective_to else None,
                      "rules": [{"id": r.id, "condition": r.condition, "entitlement": r.entitlement,
                                 "citation": f"{r.source['file']} {r.source['clause']}", "text": r.source["text"]}
                                for r in s.rules]})
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


def entitlement_json(e: Entitlement) -> dict:
    return {"id": e.id, "person": {"id": e.person_id, "name": e.person.name,
                                   "id_number_masked": mask_id_number(e.person.id_number)},
            "kind": e.kind, "title": e.title, "grade_from": e.grade_from, "grade_to": e.grade_to,
            "rule_id": e.rule_id, "citation": e.citation, "quote": e.quote, "policy_version": e.policy_version,
            "jurisdiction": e.jurisdiction, "competition": {"id": e.competition_id, "name": e.competition.name},
            "event": {"id": e.event_id, "name": e.event.name}, "rank": e.rank, "award": e.award,
            "status": e.status, "note": e.note, "granted_at": timeutil.iso(e.granted_at)}


def _filters() -> dict:
    a = request.args
    return {"kind": a.get("kind") or None, "jurisdiction": a.get("jurisdiction") or None,
            "competition_id": a.get("competition_id", type=int), "year": a.get("year", type=int),
            "organization_id": a.get("organization_id", type=int), "status": a.get("status") or None}


@bp.route("/entitlements", methods=["GET"])
@roles("admin", "organizer")
def entitlements_list():
    return jsonify(paginate(registry_for(current_user, _filters()), entitlement_json))


@bp.route("/entitlements.xlsx", methods=["GET"])
@roles("admin", "organizer")
def entitlements_roster():
    filters = _filters()
    name = "任教资格名册" if filters["kind"] == "teacher_eligibility" else "资格待遇名册"
    return Response(write_xlsx(ROSTER_HEADERS, roster_rows(filters), sheet_title=name), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"{name}.xlsx", "roster.xlsx")})


@bp.route("/entitlements.pdf", methods=["GET"])
@roles("admin", "organizer")
def entitlements_roster_pdf():
    return roster_pdf_response(_filters())


@bp.route("/entitlements/<int:entitlement_id>/status", methods=["POST"])
@roles("admin", "organizer")
def entitlements_status(entitlement_id: int):
    ent = managed_entitlement(entitlement_id)
    data = json_body()
    operations.update_status(ent, text_field(data, "status"), text_field(data, "note"), current_user)
    return jsonify(entitlement_json(ent))


@bp.route("/people/<int:person_id>/record", methods=["GET"])
@roles("admin", "organizer")
def people_record(person_id: int):
    person = visible_person(person_id)
    rec = operations.talent_record(person, current_user)
    return jsonify({
        "person": {"id": person.id, "name": person.name, "id_number": person.id_number,
                   "skill_grade": person.skill_grade, "organization_id": person.organization_id},
        "entries": [{"registration_id": reg.id, "competition": comp.name, "competition_id": comp.id, "year": comp.year,
                     "event": ev.name, "status": reg.status, "code": reg.code,
                     "result": None if res is None else {"total": str(res.total), "rank": res.rank, "award": res.award,
                                                         "final": res.is_final}}
                    for reg, ev, comp, res in rec["entries"]],
        "certificates": [{"serial": c.serial, "code": c.code, "status": c.status, "competition_id": c.competition_id,
                          "competition": c.competition.name, "event": c.event.name, "registration_id": c.registration_id,
                          "rank": c.rank, "award": c.award, "issued_at": timeutil.iso(c.issued_at),
                          "revoked_at": timeutil.iso(c.revoked_at), "revoke_reason": c.revoke_reason}
                         for c in rec["certificates"]],
        "entitlements": [entitlement_json(e) for e in rec["entitlements"]],
    })

"""API for policies, entitlements (registry, roster, status), talent records and results of
competitions held outside the system (record, list, decision, evidence)."""
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
from ..selection.models import Entitlement, ExternalResult
from ..selection.views import ROSTER_HEADERS, XLSX, evidence_response, registry_for, roster_pdf_response, roster_rows
from ..spreadsheets import write_xlsx
from flask_login import current_user
from . import bp
from .util import json_body, paginate, text_field


@bp.route("/policies", methods=["GET"])
@roles("admin", "organizer")
def policies_list():
    items = []
    for s in operations.policy_sets():
        items.append({"jurisdiction": s.jurisdiction, "name": s.name, "version": s.version,
                      "effective_from": s.effective_from.isoformat(),
                      "effective_to": s.effective_to.isoformat() if s.effective_to else None,
                      "continued": s.continued, "note": s.note,
                      "rules": [{"id": r.id, "condition": r.condition, "entitlement": r.entitlement,
                                 "document": r.source["document"], "clause": r.source["clause"],
                                 "citation": r.citation, "text": r.source["text"] or None,
                                 "practice": r.practice, "note": r.note}
                                for r in s.rules]})
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


def entitlement_json(e: Entitlement) -> dict:
    return {"id": e.id, "person": {"id": e.person_id, "name": e.person.name,
                                   "id_number_masked": mask_id_number(e.person.id_number)},
            "kind": e.kind, "title": e.title, "grade_from": e.grade_from, "grade_to": e.grade_to,
            "rule_id": e.rule_id, "citation": e.citation, "quote": e.quote, "policy_version": e.policy_version,
            "policy_note": e.policy_note, "jurisdiction": e.jurisdiction,
            "competition": {"id": e.competition_id, "name": e.competition_name},
            "event": {"id": e.event_id, "name": e.event_name}, "external_result_id": e.external_result_id,
            "rank": e.rank, "award": e.award, "status": e.status, "note": e.note,
            "granted_at": timeutil.iso(e.granted_at)}


def external_result_json(x: ExternalResult) -> dict:
    return {"id": x.id, "person_id": x.person_id, "competition_name": x.competition_name, "level": x.level,
            "kind": x.kind, "jurisdiction": x.jurisdiction, "occupation": x.occupation, "track": x.track,
            "year": x.year, "result_date": x.result_date.isoformat(), "rank": x.rank, "award": x.award,
            "certificate_number": x.certificate_number, "organization_id": x.organization_id,
            "evidence": None if not x.evidence_size else {
                "filename": x.evidence_filename, "content_type": x.evidence_content_type, "size": x.evidence_size,
                "sha256": x.evidence_sha256},
            "status": x.status, "recorded_by_id": x.recorded_by_id,
            "recorded_by_organization_id": x.recorded_by_organization_id, "reviewed_by_id": x.reviewed_by_id,
            "reviewed_at": timeutil.iso(x.reviewed_at), "review_note": x.review_note,
            "created_at": timeutil.iso(x.created_at)}


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
        "external_results": [external_result_json(x) for x in rec["external_approved"]],
        "entitlements": [entitlement_json(e) for e in rec["entitlements"]],
    })


@bp.route("/people/<int:person_id>/external-results", methods=["GET"])
@roles("admin", "organizer")
def external_results_list(person_id: int):
    person = visible_person(person_id)
    items = [external_result_json(x) for x in operations.external_results_for(person, current_user)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/people/<int:person_id>/external-results", methods=["POST"])
@roles("admin", "organizer")
def external_results_create(person_id: int):
    """multipart/form-data (the fields and the file `evidence`), or JSON without evidence."""
    person = visible_person(person_id)
    if request.mimetype == "multipart/form-data":
        data = request.form.to_dict()
        upload = request.files.get("evidence")
        evidence = (upload.filename, upload.read()) if upload else None
    else:
        data, evidence = json_body(), None
    result = operations.record_external(person, data, evidence, current_user)
    return jsonify(external_result_json(result)), 201


@bp.route("/external-results/<int:result_id>/decision", methods=["POST"])
@roles("admin", "organizer")
def external_results_decision(result_id: int):
    result = operations.get_external(result_id, current_user)
    created = operations.decide_external(result, json_body(), current_user)
    return jsonify({**external_result_json(result), "entitlements": [entitlement_json(e) for e in created]})


@bp.route("/external-results/<int:result_id>/evidence", methods=["GET"])
@roles("admin", "organizer")
def external_results_evidence(result_id: int):
    return evidence_response(operations.get_external(result_id, current_user))

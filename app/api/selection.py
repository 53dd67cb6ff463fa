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
from ..selection.exports import ROSTER_HEADERS, XLSX, evidence_response, registry_for, roster_pdf_response, roster_rows
from ..spreadsheets import write_xlsx
from flask_login import current_user
from typing import Any, Literal

from pydantic import Field

from ..domain.awards import AWARDS
from ..domain.refdata import ENTITLEMENT_KINDS, JURISDICTIONS, KINDS, LEVELS, TRACKS
from ..selection.models import EXTERNAL_STATUSES, STATUSES as ENTITLEMENT_STATUSES
from . import bp
from .contract import (Date, DateTime, Id, Int, Model, Out, PageQuery, body, choice, doc, form, page_of,
                       query)
from .util import paginate, text_field

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PolicyRule(Out):
    id: str
    condition: Any = Field(description="When the rule applies (level, rank, award …).")
    entitlement: Any
    document: str | None
    clause: str | None
    citation: str | None
    text: str | None
    practice: Any = None
    note: str | None = None


class PolicySetOut(Out):
    jurisdiction: str
    name: str
    version: str
    effective_from: str
    effective_to: str | None
    continued: Any = None
    note: str | None
    rules: list[PolicyRule]


class Ref(Out):
    id: int | None
    name: str | None


class EntitledPerson(Out):
    id: int
    name: str
    id_number_masked: str | None


class EntitlementOut(Out):
    id: int
    person: EntitledPerson
    kind: choice(ENTITLEMENT_KINDS)
    title: str | None
    grade_from: int | None
    grade_to: int | None
    rule_id: str | None
    citation: str | None
    quote: str | None
    policy_version: str | None
    policy_note: str | None
    jurisdiction: str | None
    competition: Ref
    event: Ref
    external_result_id: int | None
    rank: int | None
    award: choice(AWARDS) | None
    status: choice(ENTITLEMENT_STATUSES)
    note: str | None
    granted_at: DateTime | None


class EntitlementsQuery(PageQuery):
    kind: choice(ENTITLEMENT_KINDS) | None = None
    jurisdiction: str | None = None
    competition_id: Id | None = None
    year: Int | None = Field(None, ge=1900, le=2200)
    organization_id: Id | None = None
    status: choice(ENTITLEMENT_STATUSES) | None = None


class RosterQuery(EntitlementsQuery):
    pass


class EntitlementStatusIn(Model):
    status: choice(ENTITLEMENT_STATUSES)
    note: str | None = Field(None, max_length=2000)


class Evidence(Out):
    filename: str | None
    content_type: str | None
    size: int
    sha256: str | None


class ExternalResultOut(Out):
    id: int
    person_id: int
    competition_name: str
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS) | None
    occupation: str | None
    track: choice(TRACKS)
    year: int
    result_date: str
    rank: int | None
    award: choice(AWARDS) | None
    certificate_number: str | None
    organization_id: int | None
    evidence: Evidence | None
    status: choice(EXTERNAL_STATUSES)
    recorded_by_id: int | None
    recorded_by_organization_id: int | None
    reviewed_by_id: int | None
    reviewed_at: DateTime | None
    review_note: str | None
    created_at: DateTime | None


class ExternalDecidedOut(ExternalResultOut):
    entitlements: list[EntitlementOut]


class ExternalResultIn(Model):
    competition_name: str = Field(max_length=200)
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS)
    occupation: str | None = Field(None, max_length=200)
    track: choice(TRACKS) = "staff"
    year: Int | None = None
    result_date: Date
    rank: Int = Field(ge=1, le=100_000)
    award: choice(AWARDS) | None = None
    certificate_number: str | None = Field(None, max_length=64)
    organization_id: Id | None = None


class ExternalResultForm(Model):
    """The same fields as multipart/form-data (text values), with the evidence file."""
    competition_name: str = Field(max_length=200)
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS)
    occupation: str | None = None
    track: str | None = None
    year: str | None = None
    result_date: Date
    rank: str
    award: str | None = None
    certificate_number: str | None = None
    organization_id: str | None = None
    evidence: bytes | None = Field(None, description="PDF, JPEG or PNG of the certificate.")


class ExternalDecisionIn(Model):
    decision: Literal["approve", "reject"]
    note: str = Field(max_length=2000)


class RecordEntry(Out):
    registration_id: int
    competition: str
    competition_id: int
    year: int
    event: str
    status: str
    code: str | None
    result: dict[str, Any] | None


class RecordCertificate(Out):
    serial: str
    code: str
    status: str
    competition_id: int
    competition: str
    event: str
    registration_id: int
    rank: int | None
    award: str | None
    issued_at: DateTime | None
    revoked_at: DateTime | None
    revoke_reason: str | None


class RecordPerson(Out):
    id: int
    name: str
    id_number: str | None
    skill_grade: int | None
    organization_id: int | None


class TalentRecordOut(Out):
    person: RecordPerson
    entries: list[RecordEntry]
    certificates: list[RecordCertificate]
    external_results: list[ExternalResultOut]
    entitlements: list[EntitlementOut]


@bp.route("/policies", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=page_of(PolicySetOut))
def policies_list():
    """The policy rule sets in force (each rule with its citation)."""
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


def _filters(q=None) -> dict:
    q = q or query()
    return {"kind": q.kind, "jurisdiction": q.jurisdiction or None, "competition_id": q.competition_id,
            "year": q.year, "organization_id": q.organization_id, "status": q.status}


@bp.route("/entitlements", methods=["GET"])
@roles("admin", "organizer")
@doc(query=EntitlementsQuery, ok=page_of(EntitlementOut))
def entitlements_list():
    """The registry of entitlements (teacher eligibility, rewards, titles, skill grades)."""
    q = query()
    return jsonify(paginate(registry_for(current_user, _filters(q)), entitlement_json, q))


@bp.route("/entitlements.xlsx", methods=["GET"])
@roles("admin", "organizer")
@doc(query=RosterQuery, ok=XLSX_MEDIA)
def entitlements_roster():
    """The roster as a spreadsheet (the same filters)."""
    filters = _filters()
    name = "任教资格名册" if filters["kind"] == "teacher_eligibility" else "资格待遇名册"
    return Response(write_xlsx(ROSTER_HEADERS, roster_rows(filters), sheet_title=name), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"{name}.xlsx", "roster.xlsx")})


@bp.route("/entitlements.pdf", methods=["GET"])
@roles("admin", "organizer")
@doc(query=RosterQuery, ok="application/pdf")
def entitlements_roster_pdf():
    """The roster as a PDF (the same filters)."""
    return roster_pdf_response(_filters())


@bp.route("/entitlements/<int:entitlement_id>/status", methods=["POST"])
@roles("admin", "organizer")
@doc(body=EntitlementStatusIn, ok=EntitlementOut, errors=(409,), example={"status": "confirmed", "note": "已核对"})
def entitlements_status(entitlement_id: int):
    """Move an entitlement along (eligible → confirmed → used, expired)."""
    ent = managed_entitlement(entitlement_id)
    data = body()
    operations.update_status(ent, text_field(data, "status"), text_field(data, "note"), current_user)
    return jsonify(entitlement_json(ent))


@bp.route("/people/<int:person_id>/record", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=TalentRecordOut)
def people_record(person_id: int):
    """The talent record: every registration, result, certificate, outside result and entitlement of a person."""
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
@doc(ok=page_of(ExternalResultOut))
def external_results_list(person_id: int):
    """The outside results recorded for a person."""
    person = visible_person(person_id)
    items = [external_result_json(x) for x in operations.external_results_for(person, current_user)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/people/<int:person_id>/external-results", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ExternalResultIn, form=ExternalResultForm, ok=(201, ExternalResultOut), errors=(409,),
     example={"competition_name": "第二届全国技能大赛", "level": "national_1", "kind": "skills",
              "jurisdiction": "CN", "result_date": "2025-09-20", "rank": 3, "award": "bronze"})
def external_results_create(person_id: int):
    """Record a result the person won in a competition held outside the system, for review. As
    multipart/form-data (the fields and the evidence file `evidence`), or as JSON without evidence."""
    person = visible_person(person_id)
    if request.mimetype == "multipart/form-data":
        data = form()
        upload = request.files.get("evidence")
        evidence = (upload.filename, upload.read()) if upload else None
    else:
        data, evidence = body(), None
    result = operations.record_external(person, data, evidence, current_user)
    return jsonify(external_result_json(result)), 201


@bp.route("/external-results/<int:result_id>/decision", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ExternalDecisionIn, ok=ExternalDecidedOut, errors=(409,),
     example={"decision": "approve", "note": "证书与主办方名单一致"})
def external_results_decision(result_id: int):
    """Approve (entitlements follow) or reject a recorded outside result."""
    result = operations.get_external(result_id, current_user)
    created = operations.decide_external(result, body(), current_user)
    return jsonify({**external_result_json(result), "entitlements": [entitlement_json(e) for e in created]})


@bp.route("/external-results/<int:result_id>/evidence", methods=["GET"])
@roles("admin", "organizer")
@doc(ok={200: ("application/pdf", "image/jpeg", "image/png")})
def external_results_evidence(result_id: int):
    """The evidence file of an outside result."""
    return evidence_response(operations.get_external(result_id, current_user))

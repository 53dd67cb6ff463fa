"""API of delegations (参赛队/集训队): form, list, read (squad, camp, ranking), select from published
results, add members and staff, add camp sessions and their marks, nominate, the nomination as xlsx,
and a member's outside result recorded back into their record."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..delegations import access, operations
from ..delegations.exports import nomination_response
from ..domain import delegation as rules
from ..domain.awards import AWARDS
from ..extensions import db
from ..security import roles
from . import bp
from .contract import Date, DateTime, Decimal, DecimalIn, Id, Int, Model, Out, body, choice, doc, form, page_of
from .selection import ExternalResultOut, external_result_json


class DelegationMemberOut(Out):
    id: int
    person_id: int
    name: str
    role: choice(rules.ROLES)
    source: choice(rules.SOURCES)
    reason: str | None
    source_event_id: int | None
    source_rank: int | None
    source_total: Decimal | None
    camp_score: Decimal | None
    camp_rank: int | None
    external_result_id: int | None


class CampMarkOut(Out):
    person_id: int
    present: bool
    score: Decimal | None


class CampSessionOut(Out):
    id: int
    title: str
    kind: choice(rules.SESSION_KINDS)
    held_on: Date
    max_score: Decimal | None
    marks: list[CampMarkOut]


class SquadRank(Out):
    person_id: int
    rank: int
    score: Decimal | None
    attended: int
    sessions: int


class DelegationOut(Out):
    id: int
    name: str
    target_competition: str
    target_level: choice(rules.TARGET_LEVELS)
    year: int
    occupation: str | None
    members_quota: int
    status: choice(rules.STATUSES)
    organization_id: int
    nominated_at: DateTime | None
    members: list[DelegationMemberOut]
    sessions: list[CampSessionOut]
    ranking: list[SquadRank]


class DelegationIn(Model):
    name: str = Field(max_length=200)
    target_competition: str = Field(max_length=200)
    target_level: choice(rules.TARGET_LEVELS)
    year: Int = Field(ge=2000, le=2100)
    occupation: str | None = Field(None, max_length=200)
    members_quota: Int = Field(ge=1, le=200)


class SelectionRuleIn(Model):
    event_id: Id
    top_n: Int | None = Field(None, ge=1, le=1000)
    min_total: DecimalIn | None = None
    quota: Int | None = Field(None, ge=1, le=1000)


class SelectionIn(Model):
    events: list[SelectionRuleIn]


class SelectionOut(Out):
    added: list[DelegationMemberOut]


class DelegationMemberIn(Model):
    person_id: Id
    role: choice(rules.ROLES)
    reason: str = Field(max_length=2000)


class CampSessionIn(Model):
    title: str = Field(max_length=200)
    kind: choice(rules.SESSION_KINDS) = "training"
    held_on: Date
    max_score: DecimalIn | None = None


class CampMarkIn(Model):
    person_id: Id
    present: bool
    score: DecimalIn | None = None


class CampMarksIn(Model):
    marks: list[CampMarkIn]


class OutcomeIn(Model):
    result_date: Date
    rank: Int = Field(ge=1, le=100_000)
    award: choice(AWARDS) | None = None
    certificate_number: str | None = Field(None, max_length=64)


class OutcomeForm(Model):
    result_date: Date
    rank: str
    award: str | None = None
    certificate_number: str | None = None
    evidence: bytes | None = Field(None, description="PDF, JPEG or PNG of the certificate.")


def _d(v) -> str | None:
    return None if v is None else f"{v:.2f}"


def member_json(m) -> dict:
    return {"id": m.id, "person_id": m.person_id, "name": m.person.name, "role": m.role, "source": m.source,
            "reason": m.reason, "source_event_id": m.source_event_id, "source_rank": m.source_rank,
            "source_total": _d(m.source_total), "camp_score": _d(m.camp_score), "camp_rank": m.camp_rank,
            "external_result_id": m.external_result_id}


def session_json(s) -> dict:
    return {"id": s.id, "title": s.title, "kind": s.kind, "held_on": s.held_on.isoformat(), "max_score": _d(s.max_score),
            "marks": [{"person_id": m.person_id, "present": bool(m.present), "score": _d(m.score)} for m in s.marks]}


def delegation_json(d) -> dict:
    return {"id": d.id, "name": d.name, "target_competition": d.target_competition, "target_level": d.target_level,
            "year": d.year, "occupation": d.occupation, "members_quota": d.members_quota, "status": d.status,
            "organization_id": d.organization_id, "nominated_at": timeutil.iso(d.nominated_at),
            "members": [member_json(m) for m in d.members], "sessions": [session_json(s) for s in d.sessions],
            "ranking": [{**r, "score": _d(r["score"])} for r in operations.squad_ranking(d)]}


@bp.route("/delegations", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=page_of(DelegationOut))
def delegations_list():
    """The delegations of the caller's organization."""
    items = [delegation_json(d) for d in db.session.scalars(access.delegations_for(current_user))]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/delegations", methods=["POST"])
@roles("admin", "organizer")
@doc(body=DelegationIn, ok=(201, DelegationOut), errors=(409,),
     example={"name": "西藏代表团·电工", "target_competition": "第三届全国技能大赛", "target_level": "national_1",
              "year": 2026, "occupation": "电工", "members_quota": 2})
def delegations_create():
    """Form a delegation for an outside competition."""
    return jsonify(delegation_json(operations.create(body(), current_user))), 201


@bp.route("/delegations/<int:delegation_id>", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=DelegationOut)
def delegations_get(delegation_id: int):
    """A delegation: squad and staff, camp sessions with their marks, the squad's ranking."""
    return jsonify(delegation_json(access.managed_delegation(delegation_id)))


@bp.route("/delegations/<int:delegation_id>/selection", methods=["POST"])
@roles("admin", "organizer")
@doc(body=SelectionIn, ok=SelectionOut, errors=(409,),
     example={"events": [{"event_id": 1, "top_n": 3, "min_total": "80"}, {"event_id": 2, "quota": 1}]})
def delegations_select(delegation_id: int):
    """Select from the final results of events you manage: top N, a minimum total, a quota per event."""
    d = access.managed_delegation(delegation_id)
    added = operations.select_squad(d, body(), current_user)
    return jsonify({"added": [member_json(m) for m in added]})


@bp.route("/delegations/<int:delegation_id>/members", methods=["POST"])
@roles("admin", "organizer")
@doc(body=DelegationMemberIn, ok=(201, DelegationMemberOut), errors=(409,),
     example={"person_id": 1, "role": "coach", "reason": "国家级技能大师工作室领办人"})
def delegations_members_create(delegation_id: int):
    """Add a member, reserve, team leader, coach or expert by hand, with the reason."""
    d = access.managed_delegation(delegation_id)
    return jsonify(member_json(operations.add_member(d, body(), current_user))), 201


@bp.route("/delegations/<int:delegation_id>/sessions", methods=["POST"])
@roles("admin", "organizer")
@doc(body=CampSessionIn, ok=(201, CampSessionOut), errors=(409,),
     example={"title": "第一次内部考核", "kind": "assessment", "held_on": "2026-05-10", "max_score": "100"})
def delegations_sessions_create(delegation_id: int):
    """Add a training camp session (training, or an internal assessment with its maximum score)."""
    d = access.managed_delegation(delegation_id)
    return jsonify(session_json(operations.add_session(d, body(), current_user))), 201


@bp.route("/camp-sessions/<int:session_id>/marks", methods=["PUT"])
@roles("admin", "organizer")
@doc(body=CampMarksIn, ok=CampSessionOut, errors=(409,),
     example={"marks": [{"person_id": 1, "present": True, "score": "86.5"}]})
def camp_session_marks(session_id: int):
    """Attendance and (for an assessment) scores of the squad's members and reserves."""
    s = access.managed_session(session_id)
    operations.save_marks(s, body(), current_user)
    return jsonify(session_json(s))


@bp.route("/delegations/<int:delegation_id>/nomination", methods=["POST"])
@roles("admin", "organizer")
@doc(ok=DelegationOut, errors=(409,), body_optional=True)
def delegations_nominate(delegation_id: int):
    """Make the nomination final from the camp ranking (members, then reserves)."""
    d = access.managed_delegation(delegation_id)
    operations.nominate(d, current_user)
    return jsonify(delegation_json(d))


@bp.route("/delegations/<int:delegation_id>/nomination.xlsx", methods=["GET"])
@roles("admin", "organizer")
@doc(ok="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def delegations_nomination_xlsx(delegation_id: int):
    """The nomination list for the national organizer (报名汇总表 layout)."""
    return nomination_response(access.managed_delegation(delegation_id))


@bp.route("/delegation-members/<int:member_id>/outcome", methods=["POST"])
@roles("admin", "organizer")
@doc(body=OutcomeIn, form=OutcomeForm, ok=(201, ExternalResultOut), errors=(409,),
     example={"result_date": "2026-09-20", "rank": 2, "award": "silver"})
def delegation_member_outcome(member_id: int):
    """The member's result at the outside competition, into their record as an outside result for review."""
    m = access.managed_member(member_id)
    if request.mimetype == "multipart/form-data":
        data = form()
        upload = request.files.get("evidence")
        evidence = (upload.filename, upload.read()) if upload else None
    else:
        data, evidence = body(), None
    return jsonify(external_result_json(operations.record_outcome(m, data, evidence, current_user))), 201

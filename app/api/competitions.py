"""API for competitions, events, life-cycle moves and the audit log."""
from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask_login import current_user
from pydantic import Field
from sqlalchemy import select

from .. import timeutil
from ..accounts.models import User
from ..audit.models import AuditEvent
from ..competitions import operations
from ..competitions.access import (managed_competition, managed_competitions, managed_event,
                                   supervised_competition_ids, supervisors_of)
from ..competitions.models import STAGES, Competition, CompetitionSupervisor
from ..domain import scheme as scheme_rules
from ..domain.lifecycle import STATUSES as COMPETITION_STATUSES
from ..domain.refdata import JURISDICTIONS, KINDS, LEVELS, ORG_KINDS, TRACKS
from ..extensions import db
from ..security import REAUTH_STATUSES, requires_recent_auth, roles
from . import bp
from .contract import (DateTime, Date, DecimalIn, Id, Int, Model, Out, PageQuery, body, choice, doc, page_of,
                       query)
from .util import CompetitionOut, EventOut, competition_json, event_json, int_field, paginate, text_field

MANAGERS = ("admin", "organizer")


# ---- schemas ----------------------------------------------------------------------------------

class CompetitionPatch(Model):
    """A competition's fields; PATCH sends only those it changes (with `version`, and `reason` to
    lengthen a running period)."""
    name: str | None = Field(None, max_length=200)
    year: Int | None = Field(None, ge=2000, le=2100)
    level: choice(LEVELS) | None = None
    kind: choice(KINDS) | None = None
    jurisdiction: choice(JURISDICTIONS, "ISO 3166-2 code: CN, CN-XZ, …") | None = None
    host_organization_id: Id | None = None
    registration_opens_at: DateTime | None = None
    registration_closes_at: DateTime | None = None
    starts_on: Date | None = None
    ends_on: Date | None = None
    publicity_days: Int | None = Field(None, ge=0, le=90)
    appeal_window_hours: Int | None = Field(None, ge=0, le=720)
    allow_multiple_events: bool | None = None
    description: str | None = Field(None, max_length=5000)
    award_title: str | None = Field(None, max_length=50)
    stage: choice(STAGES) | None = None
    version: Int | None = Field(None, description="The version read (stale → 409 stale_version).")
    reason: str | None = None


class CompetitionIn(CompetitionPatch):
    name: str = Field(max_length=200)
    year: Int = Field(ge=2000, le=2100)
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS, "ISO 3166-2 code: CN, CN-XZ, …")
    registration_opens_at: DateTime
    registration_closes_at: DateTime
    publicity_days: Int = Field(7, ge=0, le=90)
    appeal_window_hours: Int = Field(2, ge=0, le=720)


class StatusIn(Model):
    status: choice(COMPETITION_STATUSES)
    reason: str | None = None
    version: Int | None = None


class CriterionIn(Model):
    key: str = Field(pattern=scheme_rules.KEY_RE.pattern)
    name: str
    max_score: DecimalIn
    kind: choice(scheme_rules.CRITERION_KINDS) = "measurement"
    scale: choice(scheme_rules.SCALES) = "marks"
    step: DecimalIn | None = Field(None, description="Judges enter multiples of it (default 0.01).")
    descriptors: list[str] | None = Field(None, description="wsi3: the four descriptors of 0–3.")


class ComponentIn(Model):
    key: str = Field(pattern=scheme_rules.KEY_RE.pattern)
    name: str
    weight: DecimalIn
    entry: choice(scheme_rules.COMPONENT_ENTRIES) = "judges"
    criteria: list[CriterionIn]


class SchemeIn(Model):
    aggregation: choice(scheme_rules.AGGREGATIONS) = "mean"
    min_judges: Int = Field(3, ge=1)
    trim_fallback: choice(scheme_rules.TRIM_FALLBACKS) | None = None
    disagreement_share: DecimalIn | None = None
    components: list[ComponentIn]


class AwardsIn(Model):
    preset: choice(scheme_rules.AWARD_PRESETS) = "prizes"
    shares: list[DecimalIn] | None = None
    min_total: DecimalIn | None = None
    standardized: bool = False


class EligibilityIn(Model):
    min_age: Int | None = Field(None, ge=0, le=120)
    max_age: Int | None = Field(None, ge=0, le=120)
    min_skill_grade: Int | None = None
    organization_kinds: list[choice(ORG_KINDS)] | None = None


class EventPatch(Model):
    name: str | None = Field(None, max_length=200)
    occupation: str | None = Field(None, max_length=200)
    track: choice(TRACKS) | None = None
    team_size: Int | None = Field(None, ge=1, le=20)
    max_entrants: Int | None = Field(None, ge=1, le=1_000_000)
    starts_at: DateTime | None = None
    ends_at: DateTime | None = None
    venue: str | None = None
    eligibility: EligibilityIn | None = None
    scheme: SchemeIn | None = None
    awards: AwardsIn | None = None
    tiebreak: list[str] | None = Field(None, description='e.g. ["component:practical", "criterion:P1", "time_used"]')
    no_shared_ranks: bool | None = None
    two_layer: bool | None = None
    version: Int | None = None


class EventIn(EventPatch):
    name: str = Field(max_length=200)
    track: choice(TRACKS)
    scheme: SchemeIn


class SupervisorIn(Model):
    user_id: Id


class SupervisorOut(Out):
    user_id: int
    name: str
    username: str
    assigned_at: DateTime | None


class AuditEventOut(Out):
    seq: int
    at: DateTime | None
    actor_id: int | None
    actor: str | None
    action: str
    object_type: str | None
    object_id: int | None
    competition_id: int | None = None
    event_id: int | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None
    hash: str | None = None


class CompetitionsQuery(PageQuery):
    status: choice(COMPETITION_STATUSES) | None = None


class AuditQuery(PageQuery):
    competition_id: Id | None = None
    event_id: Id | None = None
    object_id: Id | None = None
    object_type: str | None = Field(None, max_length=32)
    action: str | None = Field(None, max_length=64, description="An action, or its area with a dot: `competition.`.")


COMPETITION_EXAMPLE = {"name": "2026年西藏自治区职业技能大赛", "year": 2026, "level": "provincial_1",
                       "kind": "skills", "jurisdiction": "CN-XZ",
                       "registration_opens_at": "2026-04-01T09:00:00+08:00",
                       "registration_closes_at": "2026-04-30T18:00:00+08:00", "publicity_days": 7,
                       "appeal_window_hours": 2}
EVENT_EXAMPLE = {"name": "焊工", "occupation": "焊工", "track": "staff", "team_size": 1, "scheme": {
    "aggregation": "mean", "min_judges": 2, "components": [
        {"key": "theory", "name": "理论", "weight": "0.3", "criteria": [
            {"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement"}]},
        {"key": "practical", "name": "实操", "weight": "0.7", "criteria": [
            {"key": "P1", "name": "工艺", "max_score": "20", "kind": "judgement", "scale": "wsi3",
             "descriptors": ["差", "合格", "良好", "优秀"]},
            {"key": "P2", "name": "尺寸", "max_score": "50", "kind": "measurement", "step": "0.5"}]}]},
    "awards": {"preset": "prizes"}, "tiebreak": ["component:practical", "criterion:P2"]}


@bp.route("/competitions", methods=["POST"])
@roles(*MANAGERS)
@doc(body=CompetitionIn, ok=(201, CompetitionOut), example=COMPETITION_EXAMPLE)
def competitions_create():
    """Create a competition (draft), hosted by the organizer's organization."""
    comp = operations.create_competition(body(), current_user)
    return jsonify(competition_json(comp)), 201


@bp.route("/competitions", methods=["GET"])
@roles(*MANAGERS)
@doc(query=CompetitionsQuery, ok=page_of(CompetitionOut))
def competitions_list():
    """The competitions the caller manages."""
    q = query()
    stmt = managed_competitions(current_user).order_by(None).order_by(Competition.id)
    if q.status:
        stmt = stmt.where(Competition.status == q.status)
    return jsonify(paginate(stmt, competition_json, q))


@bp.route("/competitions/<int:competition_id>", methods=["GET"])
@roles(*MANAGERS)
@doc(ok=CompetitionOut)
def competitions_get(competition_id: int):
    """One competition the caller manages."""
    return jsonify(competition_json(managed_competition(competition_id)))


@bp.route("/competitions/<int:competition_id>", methods=["PATCH"])
@roles(*MANAGERS)
@doc(body=CompetitionPatch, ok=CompetitionOut, errors=(409,), example={"publicity_days": 10, "version": 3,
                                                                        "reason": "延长公示"})
def competitions_update(competition_id: int):
    """Change some fields of a competition."""
    comp = managed_competition(competition_id)
    operations.update_competition(comp, body(), current_user)
    return jsonify(competition_json(comp))


def supervisor_json(row: CompetitionSupervisor) -> dict:
    return {"user_id": row.user_id, "name": row.user.name, "username": row.user.username,
            "assigned_at": timeutil.iso(row.created_at)}


@bp.route("/competitions/<int:competition_id>/supervisors", methods=["GET"])
@roles(*MANAGERS)
@doc(ok=page_of(SupervisorOut))
def supervisors_list(competition_id: int):
    """The competition's supervisors."""
    items = [supervisor_json(r) for r in supervisors_of(managed_competition(competition_id))]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.route("/competitions/<int:competition_id>/supervisors", methods=["POST"])
@roles(*MANAGERS)
@doc(body=SupervisorIn, ok=(201, SupervisorOut), errors=(409,), example={"user_id": 12})
def supervisors_add(competition_id: int):
    """Assign a supervisor to the competition."""
    comp = managed_competition(competition_id)
    user_id = int_field(body(), "user_id")
    row = operations.assign_supervisor(comp, db.session.get(User, user_id) if user_id else None, current_user)
    return jsonify(supervisor_json(row)), 201


@bp.route("/competitions/<int:competition_id>/supervisors/<int:user_id>", methods=["DELETE"])
@roles(*MANAGERS)
@doc(ok=None, errors=(409,))
def supervisors_remove(competition_id: int, user_id: int):
    """Remove a supervisor from the competition."""
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
@doc(body=StatusIn, ok=CompetitionOut, errors=(409,), example={"status": "registration_open", "version": 1})
def competitions_status(competition_id: int):
    """Move the competition along its life cycle (draft → registration_open → registration_closed →
    judging → publicity → final → archived). Moving to publicity or final needs a recent sign-in;
    an unmet precondition is a 409 `invalid_transition` naming what is missing."""
    comp = managed_competition(competition_id)
    data = body()
    operations.change_status(comp, text_field(data, "status"), current_user,
                             reason=(text_field(data, "reason").strip()[:500] or None),
                             version=data.get("version"))
    return jsonify(competition_json(comp))


@bp.route("/competitions/<int:competition_id>/events", methods=["POST"])
@roles(*MANAGERS)
@doc(body=EventIn, ok=(201, EventOut), errors=(409,), example=EVENT_EXAMPLE)
def events_create(competition_id: int):
    """Add an event with its scoring scheme, awards, tie-break chain and eligibility rules."""
    comp = managed_competition(competition_id)
    event = operations.create_event(comp, body(), current_user)
    return jsonify(event_json(event)), 201


@bp.route("/competitions/<int:competition_id>/events", methods=["GET"])
@roles(*MANAGERS)
@doc(ok=page_of(EventOut))
def events_list(competition_id: int):
    """The competition's events."""
    comp = managed_competition(competition_id)
    return jsonify({"items": [event_json(e) for e in comp.events], "page": 1,
                    "per_page": len(comp.events), "total": len(comp.events)})


@bp.route("/events/<int:event_id>", methods=["GET"])
@roles(*MANAGERS)
@doc(ok=EventOut)
def events_get(event_id: int):
    """One event."""
    return jsonify(event_json(managed_event(event_id)))


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@roles(*MANAGERS)
@doc(body=EventPatch, ok=EventOut, errors=(409,), example={"venue": "拉萨市职业技术学校", "version": 2})
def events_update(event_id: int):
    """Change some fields of an event (the scheme is frozen once a score exists: 409)."""
    event = managed_event(event_id)
    operations.update_event(event, body(), current_user)
    return jsonify(event_json(event))


def audit_json(ev: AuditEvent) -> dict:
    return {"seq": ev.seq, "at": timeutil.iso(ev.created_at), "actor_id": ev.actor_id, "actor": ev.actor_name,
            "action": ev.action, "object_type": ev.object_type, "object_id": ev.object_id,
            "competition_id": ev.competition_id, "event_id": ev.event_id,
            "before": ev.before, "after": ev.after, "reason": ev.reason, "hash": ev.hash}


@bp.route("/audit", methods=["GET"])
@roles("admin", "supervisor")
@doc(query=AuditQuery, ok=page_of(AuditEventOut))
def audit_list():
    """The audit trail (a supervisor: of the competitions they supervise)."""
    q = query()
    stmt = select(AuditEvent).order_by(AuditEvent.seq)
    if not current_user.has_role("admin"):  # a supervisor reads the trail of their competitions
        stmt = stmt.where(AuditEvent.competition_id.in_(supervised_competition_ids(current_user)))
    for name in ("competition_id", "event_id", "object_id"):
        value = getattr(q, name)
        if value is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == value)
    if q.object_type:
        stmt = stmt.where(AuditEvent.object_type == q.object_type)
    if q.action:
        stmt = stmt.where(AuditEvent.action.startswith(q.action.strip()))
    return jsonify(paginate(stmt, audit_json, q))

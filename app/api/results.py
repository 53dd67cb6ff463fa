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
from ..results.lookup import lookup, lookup_limit
from ..results.models import Appeal
from ..results.public import public_competitions, public_results
from ..results.queries import event_rows
from ..security import api_error, public, requires_recent_auth, roles
import hashlib
from typing import Literal

from pydantic import Field

from ..domain.awards import AWARDS
from ..domain.lifecycle import STATUSES as COMPETITION_STATUSES
from ..domain.refdata import JURISDICTIONS, KINDS, LEVELS, TRACKS
from . import bp
from .contract import (Decimal, DecimalIn, DateTime, Id, Int, Model, Out, PageQuery, body, choice, doc, page_of,
                       query)
from .util import int_field, paginate, text_field

Award = choice(AWARDS)
ENTRY_STATUSES = ("ranked", "absent", "disqualified")


class ResultItemOut(Out):
    registration_id: int | None = Field(None, description="Withheld from the chief judge before decryption.")
    code: str | None
    name: str | None = None
    organization: str | None = None
    components: dict[str, str | None] = Field(description="component key → decimal string")
    total: Decimal | None
    rank: int | None
    award: Award | None
    standardized: int | None
    tie_unresolved: bool
    status: choice(ENTRY_STATUSES)
    reason: str | None = None
    aggregation_note: str | None


class ResultsOut(Out):
    status: Literal["provisional", "publicity", "final"]
    items: list[ResultItemOut]
    verified: bool | None = Field(description="Stored results match their sealed snapshot (null while provisional).")


class TiesIn(Model):
    order: list[str | Int] = Field(description="The tied entries' codes in the decided order (registration ids "
                                               "once names are revealed).")
    reason: str = Field(max_length=1000)


class TieOut(Out):
    id: int
    order: list[str | None]
    reason: str
    registration_ids: list[int] | None = None


class AppealIn(Model):
    reason: str = Field(max_length=5000)


class AppealOut(Out):
    id: int
    registration_id: int
    event_id: int
    status: Literal["open", "upheld", "dismissed"]
    reason: str
    decision_note: str | None
    created_at: DateTime | None
    decided_at: DateTime | None


class AppealsQuery(PageQuery):
    status: Literal["open", "upheld", "dismissed"] | None = None


class AppealDecisionIn(Model):
    decision: Literal["upheld", "dismissed"]
    note: str = Field(max_length=5000)


class AdvanceIn(Model):
    target_event_id: Id
    mode: Literal["top_n", "threshold", "quota"]
    n: Int | None = Field(None, ge=1, description="top_n, quota: how many.")
    min_total: DecimalIn | None = Field(None, description="threshold: the minimum total (0–100).")
    by: Literal["organization", "region"] | None = Field(None, description="quota: per organization or region.")
    dry_run: bool = False


class Advanced(Out):
    registration_id: int
    rank: int | None
    total: Decimal


class Skipped(Out):
    registration_id: int
    reason: str


class AdvanceOut(Out):
    advanced: list[Advanced]
    skipped: list[Skipped]
    dry_run: bool


class PublicCompetitionOut(Out):
    id: int
    name: str
    year: int
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS) | None
    status: choice(COMPETITION_STATUSES)


class PublicItem(Out):
    rank: int | None
    name_masked: str
    organization: str | None
    total: Decimal | None
    award: Award | None
    standardized: int | None
    status: choice(ENTRY_STATUSES)


class PublicEvent(Out):
    id: int
    name: str
    track: choice(TRACKS)
    preset: str | None
    items: list[PublicItem]


class PublicResultsOut(Out):
    id: int
    name: str
    status: choice(COMPETITION_STATUSES)
    level: choice(LEVELS)
    jurisdiction: choice(JURISDICTIONS) | None
    publicity_ends_at: DateTime | None
    events: list[PublicEvent]


class LookupIn(Model):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)


class LookupResult(Out):
    competition: str
    competition_id: int
    event: str
    total: Decimal
    rank: int | None
    award: Award | None
    final: bool
    certificate_code: str | None


class LookupOut(Out):
    results: list[LookupResult]


class FinalCorrectionIn(Model):
    reason: str = Field(max_length=1000)
    appeal_id: Id | None = None


class FinalCorrectionOut(Out):
    id: int
    event_id: int
    reason: str
    opened_at: DateTime | None
    closed_at: DateTime | None


def _with_etag(raw: bytes):
    """A public list as JSON bytes with an ETag: a client that sends it back gets a 304."""
    response = Response(raw, mimetype="application/json")
    response.set_etag(hashlib.sha256(raw).hexdigest()[:32])
    return response.make_conditional(request)


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
@doc(ok=ResultsOut, errors=(409,))
def results_get(event_id: int):
    """The event's results, ranked (409 `not_locked` before the lock)."""
    event = db.get_or_404(Event, event_id)
    allowed = (manages(event.competition, current_user) or supervises(event.competition, current_user)
               or jq.panel_role(event, current_user) == "chief_judge")
    if not allowed:
        abort(403)
    if event.locked_at is None and not operations.stored(event):
        return api_error(409, "not_locked", _("Results are available once the chief judge locks the event."))
    rows, status = event_rows(event)
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
@doc(body=TiesIn, ok=(201, TieOut), errors=(409,), example={"order": ["A07", "A03"], "reason": "加赛决定"})
def ties_resolve(event_id: int):
    """The chief judge orders entries still tied after the tie-break chain, with the reason."""
    event, _role = panel_event(event_id, "chief_judge")
    data = body()
    order = data.get("order") if isinstance(data.get("order"), list) else []
    # The order is given by codes; registration ids only once names are revealed to the panel.
    ids = operations.ids_for_codes(event, order, allow_ids=jq.names_visible_to_panel(event))
    row = operations.resolve_tie(event, ids, text_field(data, "reason"), current_user)
    codes = jq.code_map(event)
    out = {"id": row.id, "order": [codes.get(rid) for rid in row.order], "reason": row.reason}
    if jq.names_visible_to_panel(event):
        out["registration_ids"] = row.order
    return jsonify(out), 201


def appeal_json(a: Appeal) -> dict:
    return {"id": a.id, "registration_id": a.registration_id, "event_id": a.event_id, "status": a.status,
            "reason": a.reason, "decision_note": a.decision_note, "created_at": timeutil.iso(a.created_at),
            "decided_at": timeutil.iso(a.decided_at)}


@bp.route("/registrations/<int:registration_id>/appeals", methods=["POST"])
@roles("candidate", "org_contact")
@doc(body=AppealIn, ok=(201, AppealOut), errors=(409,), example={"reason": "第二项实操分数与现场记录不符。"})
def appeals_create(registration_id: int):
    """Appeal (the contestant or their organization's contact) while the window is open (else 409)."""
    reg = db.get_or_404(Registration, registration_id)
    appeal = operations.file_appeal(reg, text_field(body(), "reason"), current_user)
    return jsonify(appeal_json(appeal)), 201


@bp.route("/appeals", methods=["GET"])
@roles("supervisor", "admin")
@doc(query=AppealsQuery, ok=page_of(AppealOut))
def appeals_list():
    """The appeals of the competitions the caller supervises."""
    q = query()
    stmt = select(Appeal).where(Appeal.competition_id.in_(supervised_competition_ids(current_user))).order_by(Appeal.id)
    if q.status:
        stmt = stmt.where(Appeal.status == q.status)
    return jsonify(paginate(stmt, appeal_json, q))


@bp.route("/appeals/<int:appeal_id>/decision", methods=["POST"])
@roles("supervisor")
@doc(body=AppealDecisionIn, ok=AppealOut, errors=(409,), example={"decision": "upheld", "note": "复核确认录入错误。"})
def appeals_decide(appeal_id: int):
    """The supervisor decides an appeal (upheld reopens the entry's sheets for correction)."""
    appeal = db.get_or_404(Appeal, appeal_id)
    supervised_event(appeal.event_id)
    data = body()
    operations.decide_appeal(appeal, text_field(data, "decision"), text_field(data, "note"), current_user)
    return jsonify(appeal_json(appeal))


@bp.route("/events/<int:event_id>/advance", methods=["POST"])
@roles("admin", "organizer")
@doc(body=AdvanceIn, ok={200: AdvanceOut, 201: AdvanceOut}, errors=(409,),
     example={"target_event_id": 42, "mode": "top_n", "n": 10, "dry_run": True})
def advance(event_id: int):
    """Enter the selected contestants of a published event into a later stage's event (200 for a
    dry run, 201 when entered)."""
    from ..results.advancement import advance as run_advance
    source = managed_event(event_id)  # authorization before the body
    data = body()
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
@doc(ok=page_of(PublicCompetitionOut), etag=True)
def public_competitions_list():
    """Competitions whose results are public (publicity, final, archived)."""
    items = public_competitions()
    body_ = {"items": items, "page": 1, "per_page": len(items), "total": len(items)}
    return _with_etag(json.dumps(body_, ensure_ascii=False).encode())


@bp.route("/public/competitions/<int:competition_id>/results", methods=["GET"])
@public
@doc(ok=PublicResultsOut, etag=True)
def public_competition_results(competition_id: int):
    """A competition's public results: masked names, organizations, totals, ranks, awards —
    during publicity and after."""
    # Served as cached bytes: on results day this is parsed and re-serialized by nobody.
    key = f"{cache.results_key(competition_id)}:json"
    raw = cache.get(key)
    if raw is None:
        data = public_results(competition_id)
        if data is None:
            abort(404)
        raw = json.dumps(data, ensure_ascii=False)
        cache.set(key, raw)
    return _with_etag(raw.encode() if isinstance(raw, str) else raw)




@bp.route("/public/lookup", methods=["POST"])
@public
@limiter.limit(lookup_limit)
@doc(body=LookupIn, ok=LookupOut, rate_limited=True, example={"name": "拉姆", "id_number": "11010519491231002X"})
def public_lookup():
    """A contestant looks up their own results by name and ID number; anything that matches
    nothing is the same 404 (no oracle). Rate-limited per client."""
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
@doc(body=FinalCorrectionIn, ok=(201, FinalCorrectionOut), errors=(409,),
     example={"reason": "行政复议决定更正第三名成绩", "appeal_id": 7})
def final_corrections_create(event_id: int):
    """The supervisor reopens a final event after a late appeal is upheld."""
    event = supervised_event(event_id)
    data = body()
    corr = operations.open_final_correction(event, text_field(data, "reason"), current_user,
                                            int_field(data, "appeal_id", required=False))
    return jsonify({"id": corr.id, "event_id": corr.event_id, "reason": corr.reason,
                    "opened_at": timeutil.iso(corr.opened_at), "closed_at": None}), 201

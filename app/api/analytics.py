"""API for analytics: the period statistics (JSON, .xlsx, PDF), one event's judge consistency,
the judge pool and a judge's history — the same reads and access checks as the pages."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request
from flask_login import current_user
from pydantic import Field

from ..accounts.models import User
from ..analytics import documents, queries, statistics
from ..analytics.access import judge_page_events, may_see_pool, visible_event, visible_events_clause
from ..extensions import db
from ..registration.exports import attachment
from ..domain.refdata import KINDS, LEVELS, TRACKS
from ..security import roles
from . import bp
from .contract import Model, Out, choice, doc, query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsQuery(Model):
    period: str | None = Field(None, max_length=40, description='"2025" (a year), "2025-Q3" (a quarter) or '
                               '"2025-01-01..2025-06-30" (custom, at most five years); empty: this year.')
    jurisdiction: str | None = Field(None, max_length=12, description="An admin's choice of jurisdiction "
                                     "(e.g. CN-XZ); anyone else may name only their own.")
    issuer: str | None = Field(None, max_length=100, description="Admins: the issuing department printed on the report.")
    level: choice(tuple(LEVELS)) | None = None
    kind: choice(tuple(KINDS)) | None = None
    track: choice(tuple(TRACKS)) | None = None


class PeriodOut(Out):
    kind: choice(("year", "quarter", "custom"))
    start: str
    end: str
    text: str
    label: str


class BreakdownRow(Out):
    key: str
    label: str
    registrations: int
    contestants: int
    winners: int


class Breakdown(Out):
    label: str
    rows: list[BreakdownRow]


class CompetitionCount(Out):
    id: int
    name: str
    level: str
    kind: str
    status: str
    held_on: str | None
    jurisdiction: str | None


class CompetitionsOut(Out):
    by_level: dict[str, int]
    by_kind: dict[str, int]
    by_level_kind: list[dict[str, Any]]
    list: list[CompetitionCount]


class StatisticsOut(Out):
    period: PeriodOut
    filters: dict[str, str | None]
    totals: dict[str, Any] = Field(description="registrations, contestants, winners, competitions, people, "
                                               "registrations_by_status.")
    competitions: CompetitionsOut
    breakdowns: dict[str, Breakdown] = Field(description="By prefecture, organization, organization kind, track, "
                                                         "gender, ethnicity and age band; each adds up to the total.")
    awards_by_level: dict[str, Any]
    entitlements: dict[str, Any]
    title_selections: Any
    scope: str
    issuer: str


class EventHead(Out):
    id: int
    name: str
    competition_id: int
    competition: str
    locked: bool
    status: str


class ConsistencyOut(Out):
    event: EventHead
    available: bool = Field(description="False until the event has enough submitted sheets to compare.")
    entries: int | None = None
    judges: list[dict[str, Any]] | None = Field(None, description="Per judge: leniency (marks, percent of the "
                                                "maximum, confidence interval, p, q), raw figures, rank agreement, "
                                                "disagreements, the flag and a sentence.")
    criteria: list[dict[str, Any]] | None = None
    heatmap: dict[str, Any] | None = None
    reliability: dict[str, Any] | None = Field(None, description="Krippendorff's alpha of the event and its band.")
    kendall_w: float | None = None
    affinity: list[dict[str, Any]] | None = None
    flagged: list[int] | None = None
    steps: Any = None


class PooledOut(Out):
    events: int
    weighted_events: float | int | None
    sd: float | None
    se: float | None
    ci: list[float | None] | None
    flags: int
    sheets: int


class JudgeInPool(Out):
    judge_id: int
    name: str
    organization: str | None
    region: str
    pooled: PooledOut
    last_event: str | None


class JudgePoolOut(Out):
    items: list[JudgeInPool]


class JudgeProfileOut(Out):
    judge_id: int
    name: str
    organization: str | None
    region: str
    events: list[dict[str, Any]] = Field(description="Each event the judge marked (newest first) with the figures.")
    pooled: PooledOut



@bp.route("/analytics/statistics", methods=["GET"])
@roles("admin", "organizer")
@doc(query=StatisticsQuery, ok=StatisticsOut)
def analytics_statistics():
    query()
    req = documents.resolve(request.args, current_user)
    report = statistics.statistics(req.scope, req.period, req.filters)
    return jsonify({**report, "scope": documents.scope_text(req), "issuer": req.issuer})


@bp.route("/analytics/statistics.xlsx", methods=["GET"])
@roles("admin", "organizer")
@doc(query=StatisticsQuery, ok=XLSX)
def analytics_statistics_xlsx():
    query()
    req = documents.resolve(request.args, current_user)
    name = req.period.text.replace("..", "_")
    return Response(documents.xlsx_zh(req), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"竞赛统计-{name}.xlsx", f"statistics-{name}.xlsx")})


@bp.route("/analytics/statistics.pdf", methods=["GET"])
@roles("admin", "organizer")
@doc(query=StatisticsQuery, ok="application/pdf")
def analytics_statistics_pdf():
    query()
    req = documents.resolve(request.args, current_user)
    name = req.period.text.replace("..", "_")
    return Response(documents.report_pdf(req), mimetype="application/pdf",
                    headers={"Content-Disposition": attachment(f"竞赛统计报告-{name}.pdf", f"report-{name}.pdf")})


@bp.route("/analytics/events/<int:event_id>/consistency", methods=["GET"])
@roles("admin", "organizer", "supervisor", "chief_judge")
@doc(ok=ConsistencyOut)
def analytics_event_consistency(event_id: int):
    return jsonify(queries.event_report(visible_event(event_id)))


@bp.route("/analytics/judges", methods=["GET"])
@roles("admin", "organizer", "supervisor")
@doc(ok=JudgePoolOut)
def analytics_judges():
    if not may_see_pool(current_user):
        abort(403)
    return jsonify({"items": queries.judge_pool(visible_events_clause(current_user))})


@bp.route("/analytics/judges/<int:user_id>", methods=["GET"])
@roles("admin", "organizer", "supervisor", "judge")
@doc(ok=JudgeProfileOut)
def analytics_judge(user_id: int):
    judge = db.get_or_404(User, user_id)
    clause = judge_page_events(judge, current_user)
    if clause is None:
        abort(403)
    profile = queries.judge_profile(judge, clause)
    if profile is None:
        abort(404)
    return jsonify(profile)

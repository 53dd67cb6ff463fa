"""API for analytics: the period statistics (JSON, .xlsx, PDF), one event's judge consistency,
the judge pool and a judge's history — the same reads and access checks as the pages."""
from __future__ import annotations

from flask import Response, abort, jsonify, request
from flask_login import current_user

from ..accounts.models import User
from ..analytics import documents, queries, statistics
from ..analytics.access import judge_page_events, may_see_pool, visible_event, visible_events_clause
from ..extensions import db
from ..registration.exports import attachment
from ..security import roles
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/analytics/statistics", methods=["GET"])
@roles("admin", "organizer")
def analytics_statistics():
    req = documents.resolve(request.args, current_user)
    report = statistics.statistics(req.scope, req.period, req.filters)
    return jsonify({**report, "scope": documents.scope_text(req), "issuer": req.issuer})


@bp.route("/analytics/statistics.xlsx", methods=["GET"])
@roles("admin", "organizer")
def analytics_statistics_xlsx():
    req = documents.resolve(request.args, current_user)
    name = req.period.text.replace("..", "_")
    return Response(documents.xlsx_zh(req), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"竞赛统计-{name}.xlsx", f"statistics-{name}.xlsx")})


@bp.route("/analytics/statistics.pdf", methods=["GET"])
@roles("admin", "organizer")
def analytics_statistics_pdf():
    req = documents.resolve(request.args, current_user)
    name = req.period.text.replace("..", "_")
    return Response(documents.report_pdf(req), mimetype="application/pdf",
                    headers={"Content-Disposition": attachment(f"竞赛统计报告-{name}.pdf", f"report-{name}.pdf")})


@bp.route("/analytics/events/<int:event_id>/consistency", methods=["GET"])
@roles("admin", "organizer", "supervisor", "chief_judge")
def analytics_event_consistency(event_id: int):
    return jsonify(queries.event_report(visible_event(event_id)))


@bp.route("/analytics/judges", methods=["GET"])
@roles("admin", "organizer", "supervisor")
def analytics_judges():
    if not may_see_pool(current_user):
        abort(403)
    return jsonify({"items": queries.judge_pool(visible_events_clause(current_user))})


@bp.route("/analytics/judges/<int:user_id>", methods=["GET"])
@roles("admin", "organizer", "supervisor", "judge")
def analytics_judge(user_id: int):
    judge = db.get_or_404(User, user_id)
    clause = judge_page_events(judge, current_user)
    if clause is None:
        abort(403)
    profile = queries.judge_profile(judge, clause)
    if profile is None:
        abort(404)
    return jsonify(profile)

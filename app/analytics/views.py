"""Analytics pages: the period statistics (with .xlsx and PDF), one event's judge consistency,
the judge pool and a judge's history. Load → check access (access.py) → read (queries.py)."""
from __future__ import annotations

from functools import wraps

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import User
from ..competitions.models import Competition, Event
from ..domain.errors import ValidationFailed
from ..domain.refdata import JURISDICTIONS, KINDS, LEVELS, REGISTRATION_STATUSES, TRACKS
from ..extensions import db
from ..i18n import field_errors
from ..registration.exports import attachment
from ..security import roles
from . import bp, documents, queries
from . import statistics as stats
from .access import judge_page_events, may_see_pool, statistics_scope, visible_event, visible_events_clause

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, filename: str, ascii_name: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": attachment(filename, ascii_name)})


@bp.route("/analytics")
@roles("admin", "organizer", "supervisor")
def index():
    scope = statistics_scope(current_user)
    if scope is None and not may_see_pool(current_user):
        abort(403)
    events = list(db.session.scalars(
        select(Event).join(Competition).where(visible_events_clause(current_user), Event.locked_at.is_not(None))
        .order_by(Event.locked_at.desc()).limit(30)))
    return render_template("analytics/index.html", scope=scope, events=events)


def _statistics_page(status_fields: dict | None = None, status: int = 200):
    return render_template("analytics/statistics.html", report=None, req=None, charts=[], errors=status_fields or {},
                           args=request.args, choices=_choices()), status


def _choices() -> dict:
    scope = statistics_scope(current_user)
    jurisdictions = []
    if scope is not None and scope.kind == "all":
        zh = str(get_locale()).startswith("zh")
        jurisdictions = [(code, names[0] if zh else names[1]) for code, names in JURISDICTIONS.items()]
    return {"levels": LEVELS, "kinds": KINDS, "tracks": TRACKS, "jurisdictions": jurisdictions,
            "statuses": REGISTRATION_STATUSES,
            "admin": current_user.has_role("admin")}


def _resolved(view):
    """The statistics request (scope, period, filters) resolved from the query string and handed to
    the page, the .xlsx or the PDF; a bad parameter shows the page again naming the field (422)."""
    @wraps(view)
    def with_request(**kwargs):
        try:
            req = documents.resolve(request.args, current_user)
        except ValidationFailed as exc:
            return _statistics_page(field_errors(exc), 422)
        return view(req, **kwargs)
    return with_request


@bp.route("/analytics/statistics")
@roles("admin", "organizer")
@_resolved
def statistics(req: documents.ReportRequest):
    report = stats.statistics(req.scope, req.period, req.filters)
    return render_template("analytics/statistics.html", report=report, req=req, charts=documents.report_charts(report),
                           errors={}, args=request.args, choices=_choices(), scope_text=documents.scope_text(req))


@bp.route("/analytics/statistics.xlsx")
@roles("admin", "organizer")
@_resolved
def statistics_xlsx(req: documents.ReportRequest):
    name = req.period.text.replace("..", "_")
    return _download(documents.xlsx_zh(req), XLSX, f"竞赛统计-{name}.xlsx", f"statistics-{name}.xlsx")


@bp.route("/analytics/statistics.pdf")
@roles("admin", "organizer")
@_resolved
def statistics_pdf(req: documents.ReportRequest):
    name = req.period.text.replace("..", "_")
    return _download(documents.report_pdf(req), "application/pdf", f"竞赛统计报告-{name}.pdf", f"report-{name}.pdf")


@bp.route("/analytics/events/<int:event_id>")
@roles("admin", "organizer", "supervisor", "chief_judge")
def event(event_id: int):
    ev = visible_event(event_id)
    return render_template("analytics/event.html", event=ev, report=queries.event_report(ev))


@bp.route("/analytics/judges")
@roles("admin", "organizer", "supervisor")
def judges():
    if not may_see_pool(current_user):
        abort(403)
    return render_template("analytics/judges.html", judges=queries.judge_pool(visible_events_clause(current_user)))


@bp.route("/analytics/judges/<int:user_id>")
@roles("admin", "organizer", "supervisor", "judge")
def judge(user_id: int):
    judge_user = db.session.get(User, user_id)
    if judge_user is None:
        abort(404)
    clause = judge_page_events(judge_user, current_user)
    if clause is None:
        abort(403)  # a judge reads their own page only
    profile = queries.judge_profile(judge_user, clause)
    if profile is None:
        abort(404)  # no event of this judge the viewer may see: as if there were no such judge
    return render_template("analytics/judge.html", profile=profile)

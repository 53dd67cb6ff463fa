"""The period report as a request (scope, period, filters, issuing department), its charts, its
.xlsx workbook and its printable PDF (季报/年报). Web pages and the API both go through here."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import pdf
from ..domain.errors import N_, Collector
from ..domain.refdata import (AWARD_LABELS, ENTITLEMENT_KINDS, ENTITLEMENT_STATUSES, JURISDICTIONS, KINDS, LEVELS,
                              PROVINCE_ISO, TRACKS)
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Organization
from ..spreadsheets import write_workbook
from . import charts, queries, statistics
from .access import Scope, statistics_scope

ISO_PROVINCE = {iso: code for code, iso in PROVINCE_ISO.items()}
ENTITLEMENT_STATUS_ORDER = ("eligible", "confirmed", "used", "expired", "superseded")
AWARD_ORDER = ("gold", "silver", "bronze", "first", "second", "third", "merit")


@dataclass
class ReportRequest:
    scope: Scope
    period: statistics.Period
    filters: statistics.Filters
    jurisdiction: str | None   # an admin's choice, or the HR department's
    issuer: str
    issuer_given: bool = False  # an admin typed it (carried on to the PDF link)

    def query_args(self, with_issuer: bool = False) -> dict:
        args = {"period": self.period.text, **{k: v for k, v in self.filters.as_dict().items() if v}}
        if self.jurisdiction and self.scope.kind != "organization":
            args["jurisdiction"] = self.jurisdiction
        if with_issuer and self.issuer_given:
            args["issuer"] = self.issuer
        return args


def jurisdiction_label(code: str | None) -> str:
    if not code:
        return ""
    names = JURISDICTIONS.get(code)
    return names[0] if names else code


def default_issuer(scope: Scope, jurisdiction: str | None) -> str:
    """The HR department itself, or the organizer's organization; for an admin, the government
    organization of the chosen jurisdiction when there is one."""
    if scope.label:
        return scope.label
    code = "000000" if not jurisdiction or jurisdiction == "CN" else (ISO_PROVINCE.get(jurisdiction, "") + "0000")
    name = db.session.scalar(select(Organization.name).where(Organization.kind == "government",
                                                             Organization.region_code == code).order_by(Organization.id))
    return name or jurisdiction_label(jurisdiction or "CN")


def resolve(args, user) -> ReportRequest:
    """Read period, jurisdiction, filters and issuer from query arguments; 403 when the user may
    not see the jurisdiction asked for; a 422 naming the field for anything malformed."""
    scope = statistics_scope(user)
    if scope is None:
        abort(403)
    errors = Collector()
    jurisdiction = (args.get("jurisdiction") or "").strip() or None
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        errors.add("jurisdiction", N_("Unknown jurisdiction: %(value)s."), value=jurisdiction[:12])
    issuer = (args.get("issuer") or "").strip()
    if len(issuer) > 100:
        errors.add("issuer", N_("At most %(n)d characters."), n=100)
    errors.raise_if_any()
    period = statistics.parse_period(args.get("period"))
    filters = statistics.parse_filters(args)
    if scope.kind == "all":
        narrowed = scope.narrowed(jurisdiction)
    else:
        # Only an admin (or a national HR department) chooses; anyone else asking for another
        # jurisdiction than their own is refused, never silently given their own.
        if jurisdiction is not None and jurisdiction != scope.jurisdiction:
            abort(403)
        narrowed = scope
        jurisdiction = scope.jurisdiction
    if issuer and not user.has_role("admin"):
        abort(403)  # the issuing department is the HR department's own name
    return ReportRequest(scope=narrowed, period=period, filters=filters, jurisdiction=jurisdiction,
                         issuer=issuer or default_issuer(scope, jurisdiction), issuer_given=bool(issuer))


def scope_text(req: ReportRequest) -> str:
    s = req.scope
    if s.kind == "organization":
        return _("Competitions hosted by %(name)s", name=s.label)
    if s.kind == "all":
        return _("All jurisdictions")
    text = jurisdiction_label(s.jurisdiction)
    if s.host_prefix:
        return _("%(area)s (competitions hosted in %(region)s)", area=text,
                 region=queries._region_name(s.host_prefix))
    return text


def report_charts(report: dict) -> list:
    """The report's charts (SVG markup), titled, with axis names and units."""
    out = []
    levels = report["competitions"]["by_level"]
    out.append(charts.bar_chart(_("Competitions held, by level"), [_(LEVELS[k]) for k in levels],
                                [(_("Competitions"), list(levels.values()))], value_axis=_("Competitions (number)"),
                                category_axis=_("Level"), chart_id="chart-levels"))
    for dim, chart_id in (("prefecture", "chart-prefecture"), ("age_band", "chart-age"), ("track", "chart-track")):
        rows = report["breakdowns"][dim]["rows"]
        if dim == "prefecture":
            rows = rows[:15]
        out.append(charts.bar_chart(
            _("Contestants and winners by %(dimension)s", dimension=report["breakdowns"][dim]["label"]),
            [r["label"] for r in rows],
            [(_("Contestants"), [r["contestants"] for r in rows]), (_("Winners"), [r["winners"] for r in rows])],
            value_axis=_("People (person-entries)"), category_axis=report["breakdowns"][dim]["label"],
            chart_id=chart_id))
    awards = report["awards_by_level"]
    kinds = [a for a in AWARD_ORDER if any(a in v for v in awards.values())]
    out.append(charts.bar_chart(_("Awards by competition level"), [_(LEVELS[k]) for k in awards],
                                [(_(AWARD_LABELS[a]), [awards[lv].get(a, 0) for lv in awards]) for a in kinds],
                                value_axis=_("Awards (entries)"), category_axis=_("Level"), chart_id="chart-awards"))
    ents = report["entitlements"]
    statuses = [s for s in ENTITLEMENT_STATUS_ORDER if any(s in v for v in ents.values())]
    out.append(charts.bar_chart(_("Entitlements by kind and status"), [_(ENTITLEMENT_KINDS.get(k, k)) for k in ents],
                                [(_(ENTITLEMENT_STATUSES[s]), [ents[k].get(s, 0) for k in ents]) for s in statuses],
                                value_axis=_("Entitlements (number)"), category_axis=_("Kind"),
                                chart_id="chart-entitlements"))
    return out


def _level_kind_rows(report: dict) -> list[list]:
    return [[_(LEVELS.get(r["level"], r["level"])), _(KINDS.get(r["kind"], r["kind"])), r["count"]]
            for r in report["competitions"]["by_level_kind"]]


def workbook(report: dict, req: ReportRequest) -> bytes:
    """The report as .xlsx, one sheet per table (labels in the language it is built under)."""
    t = report["totals"]
    summary = [
        [_("Report"), report["period"]["label"]], [_("Period"), f'{report["period"]["start"]} – {report["period"]["end"]}'],
        [_("Scope"), scope_text(req)], [_("Issued by"), req.issuer],
        [_("Competitions"), t["competitions"]], [_("Registrations"), t["registrations"]],
        [_("Contestants (person-entries)"), t["contestants"]], [_("People (distinct)"), t["people"]],
        [_("Winners (person-entries)"), t["winners"]],
    ]
    sheets = [(_("Summary"), [_("Figure"), _("Value")], summary),
              (_("Competitions"), [_("Competition"), _("Level"), _("Kind"), _("Held on"), _("Status")],
               [[c["name"], _(LEVELS.get(c["level"], c["level"])), _(KINDS.get(c["kind"], c["kind"])), c["held_on"] or "",
                 c["status"]] for c in report["competitions"]["list"]]),
              (_("By level and kind"), [_("Level"), _("Kind"), _("Competitions")], _level_kind_rows(report))]
    for dim, data in report["breakdowns"].items():
        rows = [[r["label"], r["registrations"], r["contestants"], r["winners"]] for r in data["rows"]]
        rows.append([_("Total"), t["registrations"], t["contestants"], t["winners"]])
        sheets.append((data["label"], [data["label"], _("Registrations"), _("Contestants"), _("Winners")], rows))
    awards = report["awards_by_level"]
    sheets.append((_("Awards"), [_("Level"), _("Award"), _("Entries")],
                   [[_(LEVELS.get(lv, lv)), _(AWARD_LABELS.get(a, a)), n] for lv, v in awards.items() for a, n in v.items()]))
    sheets.append((_("Entitlements"), [_("Kind"), _("Status"), _("Entitlements")],
                   [[_(ENTITLEMENT_KINDS.get(k, k)), _(ENTITLEMENT_STATUSES.get(s, s)), n]
                    for k, v in report["entitlements"].items() for s, n in v.items()]))
    sheets.append((_("Title selections"), [_("Competition"), _("Title"), _("Nominations"), _("Approved"), _("Awarded"),
                                           _("Titles granted")],
                   [[r["name"], r["title"], r["nominations"], r["approved"], r["awarded"], r["titles_granted"]]
                    for r in report["title_selections"]]))
    return write_workbook(sheets)


def report_pdf(req: ReportRequest) -> bytes:
    """The printable report, in Chinese whatever the reader's language (an official document)."""
    with force_locale("zh"):
        report = statistics.statistics(req.scope, req.period, req.filters)
        context = document_context(report, req)
        return pdf.render("analytics_report.html", r=context)


def xlsx_zh(req: ReportRequest) -> bytes:
    with force_locale("zh"):
        return workbook(statistics.statistics(req.scope, req.period, req.filters), req)


PRINTED_ROWS = 30


def _printed(breakdowns: dict) -> dict:
    """Long breakdowns (organizations) printed as their first PRINTED_ROWS rows and one row for
    the rest, so the printed tables still add up to the totals."""
    out = {}
    for dim, data in breakdowns.items():
        rows = data["rows"]
        if len(rows) > PRINTED_ROWS + 1:
            rest = rows[PRINTED_ROWS:]
            other = {"key": "other", "label": _("%(n)d others", n=len(rest)),
                     **{k: sum(r[k] for r in rest) for k in ("registrations", "contestants", "winners")}}
            rows = rows[:PRINTED_ROWS] + [other]
        out[dim] = {**data, "rows": rows}
    return out


def document_context(report: dict, req: ReportRequest) -> dict:
    """Plain data for templates/pdf/analytics_report.html (labels already translated)."""
    return {
        "title": f"{req.issuer} {report['period']['label']}",
        "period": report["period"], "scope": scope_text(req), "issuer": req.issuer, "totals": report["totals"],
        "filters": [f"{_(name)}：{_(table.get(v, v))}" for name, table, v in (
            (N_("Level"), LEVELS, req.filters.level), (N_("Kind"), KINDS, req.filters.kind),
            (N_("Track"), TRACKS, req.filters.track)) if v],
        "charts": report_charts(report), "level_kind": _level_kind_rows(report),
        "competitions": report["competitions"]["list"], "breakdowns": _printed(report["breakdowns"]),
        "awards": [[_(LEVELS.get(lv, lv)), _(AWARD_LABELS.get(a, a)), n] for lv, v in report["awards_by_level"].items()
                   for a, n in v.items()],
        "entitlements": [[_(ENTITLEMENT_KINDS.get(k, k)), _(ENTITLEMENT_STATUSES.get(s, s)), n]
                         for k, v in report["entitlements"].items() for s, n in v.items()],
        "titles": report["title_selections"], "printed_on": utcnow().date(),
        "level_names": {k: _(v) for k, v in LEVELS.items()}, "kind_names": {k: _(v) for k, v in KINDS.items()},
    }

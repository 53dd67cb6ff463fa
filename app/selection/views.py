"""Policy rules page, the entitlement registry with rosters, status updates, talent records with
the results of competitions held outside the system (record, review, evidence)."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.models import Competition
from ..domain.masking import mask_id_number
from ..domain.refdata import JURISDICTIONS
from ..extensions import db
from ..forms_util import perform
from ..people.models import Organization, Person
from ..domain.refdata import AWARD_ZH, ENTITLEMENT_KIND_ZH, ENTITLEMENT_STATUS_ZH
from ..domain.dossier import EXTENSIONS
from ..registration.exports import attachment
from ..people.access import visible_person
from ..security import public, roles
from ..spreadsheets import write_xlsx
from . import access, bp, operations, texts
from .access import managed_competition_ids, managed_entitlement, restrict
from .models import STATUSES, Entitlement, ExternalResult

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_ZH, STATUS_ZH = ENTITLEMENT_KIND_ZH, ENTITLEMENT_STATUS_ZH


@bp.route("/policies")
@public
def policies():
    sets = operations.policy_sets()
    return render_template("selection/policies.html", sets=sets, texts=texts,
                           show_ids=current_user.is_authenticated and current_user.has_role("admin"))


def _filters() -> dict:
    a = request.args
    return {"kind": a.get("kind") or None, "jurisdiction": a.get("jurisdiction") or None,
            "competition_id": a.get("competition_id", type=int), "year": a.get("year", type=int),
            "organization_id": a.get("organization_id", type=int), "status": a.get("status") or None}


@bp.route("/manage/entitlements")
@roles("admin", "organizer")
def registry():
    filters = _filters()
    page = db.paginate(registry_for(current_user, filters), per_page=100, error_out=False)
    return render_template("selection/registry.html", page=page, filters=filters, kinds=KIND_ZH,
                           active={k: v for k, v in filters.items() if v},
                           statuses=STATUSES, status_names=STATUS_ZH, award_names=AWARD_ZH,
                           mask_id_number=mask_id_number, jurisdictions=JURISDICTIONS,
                           competitions=db.session.scalars(select(Competition).where(
                               Competition.id.in_(managed_competition_ids(current_user))).order_by(Competition.id.desc())).all(),
                           orgs=db.session.scalars(select(Organization).order_by(Organization.name)).all(),
                           transitions=operations.TRANSITIONS)


def registry_for(user, filters: dict):
    """The registry's rows this user may see (the competitions their organization hosts; admins: all)."""
    return restrict(operations.registry_query(**filters), user)


def roster_rows(filters: dict):
    for e in db.session.scalars(registry_for(current_user, filters)).yield_per(500):
        p = e.person
        yield [p.name, mask_id_number(p.id_number), e.competition_name, e.event_name, e.rank,
               AWARD_ZH.get(e.award, e.award), KIND_ZH.get(e.kind, e.kind), e.title or "", e.rule_id, e.citation,
               e.quote, e.policy_note or "", e.policy_version, STATUS_ZH.get(e.status, e.status), e.note or ""]


ROSTER_HEADERS = ["姓名", "证件号码", "竞赛", "赛项", "名次", "奖项", "类别", "称号", "规则", "依据条款", "条款原文",
                  "政策说明", "政策版本", "状态", "备注"]


@bp.route("/manage/entitlements.xlsx")
@roles("admin", "organizer")
def roster():
    filters = _filters()
    name = "任教资格名册" if filters["kind"] == "teacher_eligibility" else "资格待遇名册"
    return Response(write_xlsx(ROSTER_HEADERS, roster_rows(filters), sheet_title=name), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"{name}.xlsx", "roster.xlsx")})


def roster_title(filters: dict) -> tuple[str, str]:
    """The roster's title (任教资格名册 for teacher eligibility) and a line naming its filters."""
    title = "任教资格名册" if filters.get("kind") == "teacher_eligibility" else (
        f"{KIND_ZH[filters['kind']]}名册" if filters.get("kind") in KIND_ZH else "资格待遇名册")
    parts = []
    if filters.get("jurisdiction"):
        parts.append(f"适用政策：{filters['jurisdiction']}")
    if filters.get("competition_id"):
        comp = db.session.get(Competition, filters["competition_id"])
        if comp:
            parts.append(comp.name)
    if filters.get("year"):
        parts.append(f"{filters['year']}年度")
    if filters.get("organization_id"):
        org = db.session.get(Organization, filters["organization_id"])
        if org:
            parts.append(org.name)
    return title, " · ".join(parts)


def roster_pdf_response(filters: dict) -> Response:
    from ..certificates.documents import roster_pdf
    title, subtitle = roster_title(filters)
    rows = db.session.scalars(registry_for(current_user, filters)).all()
    return Response(roster_pdf(rows, title, subtitle), mimetype="application/pdf",
                    headers={"Content-Disposition": attachment(f"{title}.pdf", "roster.pdf"), "Cache-Control": "private, no-store"})


@bp.route("/manage/entitlements.pdf")
@roles("admin", "organizer")
def roster_pdf():
    return roster_pdf_response(_filters())


@bp.route("/manage/entitlements/<int:entitlement_id>/status", methods=["POST"])
@roles("admin", "organizer")
def status(entitlement_id: int):
    ent = managed_entitlement(entitlement_id)
    perform(lambda: operations.update_status(ent, request.form.get("status", ""), request.form.get("note"),
                                             current_user), _("Status updated."))
    target = request.form.get("next") or url_for("selection.registry")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("selection.registry"))


@bp.route("/manage/people/<int:person_id>/record")
@roles("admin", "organizer")
def record(person_id: int):
    person = visible_person(person_id)
    return render_template("selection/record.html", rec=operations.talent_record(person, current_user), kinds=KIND_ZH,
                           status_names=STATUS_ZH, award_names=AWARD_ZH, mask_id_number=mask_id_number,
                           can_record=access.can_record_external(current_user),
                           can_review=lambda r: access.can_review_external(r, current_user),
                           orgs=db.session.scalars(select(Organization).order_by(Organization.name)).all())


@bp.route("/manage/people/<int:person_id>/external-results", methods=["POST"])
@roles("admin", "organizer")
def external_record(person_id: int):
    person = visible_person(person_id)
    upload = request.files.get("evidence")
    evidence = (upload.filename, upload.read()) if upload and upload.filename else None
    perform(lambda: operations.record_external(person, request.form.to_dict(), evidence, current_user),
            _("External result recorded. Another organizer of your organization reviews it."))
    return redirect(url_for("selection.record", person_id=person.id) + "#external")


@bp.route("/manage/external-results/<int:result_id>/decision", methods=["POST"])
@roles("admin", "organizer")
def external_decision(result_id: int):
    result = operations.get_external(result_id, current_user)
    perform(lambda: operations.decide_external(result, request.form.to_dict(), current_user), _("Decision saved."))
    return redirect(url_for("selection.record", person_id=result.person_id) + "#external")


def evidence_response(result: ExternalResult) -> Response:
    """The stored evidence as a download, typed by what the bytes are (never rendered inline)."""
    data = operations.external_evidence(result)
    if data is None:
        raise NotFound()
    from urllib.parse import quote
    return Response(data, mimetype=result.evidence_content_type, headers={
        "Content-Disposition": f"attachment; filename=\"evidence-{result.id}{EXTENSIONS[result.evidence_content_type]}\"; "
                               f"filename*=UTF-8''{quote(result.evidence_filename or '')}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@bp.route("/manage/external-results/<int:result_id>/evidence")
@roles("admin", "organizer")
def external_evidence(result_id: int):
    return evidence_response(operations.get_external(result_id, current_user))

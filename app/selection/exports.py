"""Entitlement rosters (.xlsx rows, PDF) and external-result evidence as downloads: what the web
pages and the API hand out, built once."""
from __future__ import annotations

from flask import Response
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..competitions.models import Competition
from ..domain.dossier import EXTENSIONS
from ..domain.masking import mask_id_number
from ..domain.refdata import AWARD_ZH, ENTITLEMENT_KIND_ZH, ENTITLEMENT_STATUS_ZH
from ..downloads import attachment
from ..extensions import db
from ..people.models import Organization
from . import operations
from .access import restrict
from .models import ExternalResult

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_ZH, STATUS_ZH = ENTITLEMENT_KIND_ZH, ENTITLEMENT_STATUS_ZH


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

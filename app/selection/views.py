"""Policy rules page, the entitlement registry with rosters, status updates, talent records."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.models import Competition
from ..domain.masking import mask_id_number
from ..domain.refdata import JURISDICTIONS
from ..extensions import db
from ..forms_util import perform
from ..people.models import Organization, Person
from ..registration.exports import attachment
from ..security import public, roles
from ..spreadsheets import write_xlsx
from . import bp, operations
from .models import STATUSES, Entitlement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_ZH = {"teacher_eligibility": "任教资格", "reward": "奖励", "title": "称号", "grade_promotion": "晋升等级",
           "grade_exception": "破格/越级评价资格"}
STATUS_ZH = {"eligible": "符合条件", "confirmed": "已确认", "used": "已使用", "expired": "已失效", "superseded": "已被取代"}
AWARD_ZH = {"first": "一等奖", "second": "二等奖", "third": "三等奖", "gold": "金牌", "silver": "银牌", "bronze": "铜牌",
            "merit": "优胜奖", None: ""}


@bp.route("/policies")
@public
def policies():
    return render_template("selection/policies.html", sets=list(operations.policy_sets().values()))


def _filters() -> dict:
    a = request.args
    return {"kind": a.get("kind") or None, "jurisdiction": a.get("jurisdiction") or None,
            "competition_id": a.get("competition_id", type=int), "year": a.get("year", type=int),
            "organization_id": a.get("organization_id", type=int), "status": a.get("status") or None}


@bp.route("/manage/entitlements")
@roles("admin", "organizer")
def registry():
    filters = _filters()
    page = db.paginate(operations.registry_query(**filters), per_page=100, error_out=False)
    return render_template("selection/registry.html", page=page, filters=filters, kinds=KIND_ZH,
                           active={k: v for k, v in filters.items() if v},
                           statuses=STATUSES, status_names=STATUS_ZH, award_names=AWARD_ZH,
                           mask_id_number=mask_id_number, jurisdictions=JURISDICTIONS,
                           competitions=db.session.scalars(select(Competition).order_by(Competition.id.desc())).all(),
                           orgs=db.session.scalars(select(Organization).order_by(Organization.name)).all(),
                           transitions=operations.TRANSITIONS)


def roster_rows(filters: dict):
    for e in db.session.scalars(operations.registry_query(**filters)).yield_per(500):
        p = e.person
        yield [p.name, mask_id_number(p.id_number), e.competition.name, e.event.name, e.rank, AWARD_ZH.get(e.award, e.award),
               KIND_ZH.get(e.kind, e.kind), e.title or "", e.rule_id, e.citation, e.quote, e.policy_version,
               STATUS_ZH.get(e.status, e.status), e.note or ""]


ROSTER_HEADERS = ["姓名", "证件号码", "竞赛", "赛项", "名次", "奖项", "类别", "称号", "规则", "依据条款", "条款原文",
                  "政策版本", "状态", "备注"]


@bp.route("/manage/entitlements.xlsx")
@roles("admin", "organizer")
def roster():
    filters = _filters()
    name = "任教资格名册" if filters["kind"] == "teacher_eligibility" else "资格待遇名册"
    return Response(write_xlsx(ROSTER_HEADERS, roster_rows(filters), sheet_title=name), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"{name}.xlsx")})


@bp.route("/manage/entitlements/<int:entitlement_id>/status", methods=["POST"])
@roles("admin", "organizer")
def status(entitlement_id: int):
    ent = db.get_or_404(Entitlement, entitlement_id)
    perform(lambda: operations.update_status(ent, request.form.get("status", ""), request.form.get("note"),
                                             current_user), _("Status updated."))
    target = request.form.get("next") or url_for("selection.registry")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("selection.registry"))


@bp.route("/manage/people/<int:person_id>/record")
@roles("admin", "organizer")
def record(person_id: int):
    person = db.get_or_404(Person, person_id)
    return render_template("selection/record.html", rec=operations.talent_record(person), kinds=KIND_ZH,
                           status_names=STATUS_ZH, award_names=AWARD_ZH, mask_id_number=mask_id_number)

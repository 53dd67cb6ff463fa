"""Policy rules page, the entitlement registry with rosters, status updates, talent records with
the results of competitions held outside the system (record, review, evidence)."""
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
from ..i18n import names
from ..registration.exports import attachment
from ..people.access import visible_person
from ..security import public, roles
from ..spreadsheets import write_xlsx
from . import access, bp, operations, texts
from .exports import ROSTER_HEADERS, XLSX, evidence_response, registry_for, roster_pdf_response, roster_rows
from .access import managed_competition_ids, managed_entitlement
from .models import STATUSES, Entitlement


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
    return render_template("selection/registry.html", page=page, filters=filters, kinds=names("entitlement_kind"),
                           active={k: v for k, v in filters.items() if v},
                           statuses=STATUSES, status_names=names("entitlement_status"), award_names=names("award"),
                           mask_id_number=mask_id_number, jurisdictions=JURISDICTIONS,
                           competitions=db.session.scalars(select(Competition).where(
                               Competition.id.in_(managed_competition_ids(current_user))).order_by(Competition.id.desc())).all(),
                           orgs=db.session.scalars(select(Organization).order_by(Organization.name)).all(),
                           transitions=operations.TRANSITIONS)


@bp.route("/manage/entitlements.xlsx")
@roles("admin", "organizer")
def roster():
    filters = _filters()
    name = "任教资格名册" if filters["kind"] == "teacher_eligibility" else "资格待遇名册"
    return Response(write_xlsx(ROSTER_HEADERS, roster_rows(filters), sheet_title=name), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"{name}.xlsx", "roster.xlsx")})


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
    return render_template("selection/record.html", rec=operations.talent_record(person, current_user), kinds=names("entitlement_kind"),
                           status_names=names("entitlement_status"), award_names=names("award"), mask_id_number=mask_id_number,
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


@bp.route("/manage/external-results/<int:result_id>/evidence")
@roles("admin", "organizer")
def external_evidence(result_id: int):
    return evidence_response(operations.get_external(result_id, current_user))

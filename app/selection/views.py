"""Policy rules page, the entitlement registry with rosters, status updates, talent records with
the results of competitions held outside the system (record, review, evidence)."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

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


# ---- invitations into an event hosted by another organizer (跨主办方晋级) -------------------------

def _published_events():
    from ..competitions.models import Event
    from .invitations import PUBLISHED
    return db.session.scalars(select(Event).join(Competition, Competition.id == Event.competition_id).where(
        Competition.id.in_(managed_competition_ids(current_user)), Competition.status.in_(PUBLISHED))
        .options(contains_eager(Event.competition)).order_by(Competition.id.desc(), Event.id).limit(200)).all()


@bp.route("/manage/invitations")
@roles("admin", "organizer")
def invitations():
    from .invitations import invitations_for, open_targets
    return render_template("selection/invitations.html",
                           incoming=db.session.scalars(invitations_for(current_user, "incoming").limit(200)).all(),
                           outgoing=db.session.scalars(invitations_for(current_user, "outgoing").limit(200)).all(),
                           sources=_published_events(), targets=open_targets(current_user))


@bp.route("/manage/invitations", methods=["POST"])
@roles("admin", "organizer")
def invitation_create():
    from flask import abort
    from ..competitions.models import Event
    from .invitations import invite
    source_id = request.form.get("source_event_id", type=int) or 0
    source = db.session.get(Event, source_id) if 0 < source_id < 2**63 else None
    if source is None or not source.competition.can_manage(current_user):
        abort(404)
    data = {k: request.form.get(k) for k in ("target_event_id", "message", "registration_ids", "mode", "n",
                                             "min_total", "by")}
    made = {}
    if perform(lambda: made.update(inv=invite(source, data, current_user)),
               _("Invitation sent. The organizer of the target event accepts or declines it.")):
        return redirect(url_for("selection.invitation", invitation_id=made["inv"].id))
    return redirect(url_for("selection.invitations"))


@bp.route("/manage/invitations/<int:invitation_id>")
@roles("admin", "organizer")
def invitation(invitation_id: int):
    inv = access.managed_invitation(invitation_id)
    return render_template("selection/invitation.html", inv=inv, mask_id_number=mask_id_number,
                           can_decide=access.can_decide_invitation(inv, current_user),
                           can_withdraw=access.can_withdraw_invitation(inv, current_user))


@bp.route("/manage/invitations/<int:invitation_id>/decision", methods=["POST"])
@roles("admin", "organizer")
def invitation_decide(invitation_id: int):
    from flask import flash
    from ..i18n import translate
    from ..registration.invited import InvitedRefused
    from .invitations import decide
    inv = access.managed_invitation(invitation_id)
    refused: list[str] = []

    def action():
        try:
            decide(inv, request.form.to_dict(), current_user)
        except InvitedRefused as exc:  # every refused entry, named, in the reader's language
            refused.extend((f"{name}: " if name else "") + translate(r.message, r.params) for name, r in exc.refusals)
            raise
    perform(action, _("Decision saved."))
    if refused:
        flash("; ".join(refused), "error")
    return redirect(url_for("selection.invitation", invitation_id=invitation_id))


@bp.route("/manage/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@roles("admin", "organizer")
def invitation_withdraw(invitation_id: int):
    from .invitations import withdraw
    inv = access.managed_invitation(invitation_id)
    perform(lambda: withdraw(inv, current_user), _("Invitation withdrawn."))
    return redirect(url_for("selection.invitation", invitation_id=invitation_id))

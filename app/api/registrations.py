"""API for registrations: entry, lists, review, withdrawal, import, template and export; account
claims (a sign-up linked to a person on file only with the claim code or an approval)."""
from __future__ import annotations

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import timeutil
from ..competitions.access import managed_event, manages, supervises
from ..competitions.models import Event
from ..extensions import db, limiter
from ..i18n import translate
from ..people import claims
from ..registration import exports, operations
from ..registration.access import managed_registration, viewable_registration, withdrawable_registration
from ..registration.importer import import_registrations
from ..registration.template import template_xlsx
from ..registration.queries import person_view, registration_json, registrations_query
from ..security import roles
from . import bp
from .util import BadBody, json_body, paginate, text_field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENTRY_ROLES = ("admin", "organizer", "org_contact", "candidate")


def _source_for(user, event: Event) -> str:
    if manages(event.competition, user):
        return "organizer"
    if user.has_role("org_contact"):
        return "org_contact"
    if user.has_role("candidate"):
        return "self"
    abort(403)


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@roles(*ENTRY_ROLES)
def registrations_create(event_id: int):
    event = db.get_or_404(Event, event_id)
    source = _source_for(current_user, event)
    reg = operations.register(event, json_body(), current_user, source)
    return jsonify(registration_json(reg, current_user)), 201


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
@roles("admin", "organizer", "org_contact", "supervisor")
def registrations_list(event_id: int):
    event = db.get_or_404(Event, event_id)
    status = request.args.get("status") or None
    if manages(event.competition, current_user) or supervises(event.competition, current_user):
        stmt = registrations_query(event_id=event.id, status=status)
    elif current_user.has_role("org_contact") and current_user.organization_id:
        stmt = registrations_query(event_id=event.id, status=status, organization_id=current_user.organization_id)
    else:
        abort(403)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user)))


@bp.route("/registrations/<int:registration_id>", methods=["GET"])
@roles("admin", "organizer", "org_contact", "candidate", "supervisor")
def registrations_get(registration_id: int):
    return jsonify(registration_json(viewable_registration(registration_id), current_user))


@bp.route("/me/registrations", methods=["GET"])
@roles("candidate")
def my_registrations():
    stmt = registrations_query(person_user_id=current_user.id)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user)))


@bp.route("/registrations/<int:registration_id>/review", methods=["POST"])
@roles("admin", "organizer")
def registrations_review(registration_id: int):
    reg = managed_registration(registration_id)
    data = json_body()
    operations.review(reg, text_field(data, "decision"), text_field(data, "reason"), current_user)
    return jsonify(registration_json(reg, current_user))


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["POST"])
@roles("admin", "organizer", "org_contact", "candidate")
def registrations_withdraw(registration_id: int):
    reg = withdrawable_registration(registration_id)
    operations.withdraw(reg, current_user)
    return jsonify(registration_json(reg, current_user))


@bp.route("/events/<int:event_id>/registrations/import", methods=["POST"])
@roles("admin", "organizer")
def registrations_import(event_id: int):
    event = managed_event(event_id)
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    outcome = import_registrations(event, upload.read(), current_user, upload.filename or "")
    return jsonify({"created": len(outcome.ids),
                    "skipped": [{"row": s.row, "message": translate(s.message, s.params)} for s in outcome.skipped]}), 201


@bp.route("/events/<int:event_id>/registrations/template.xlsx", methods=["GET"])
@roles("admin", "organizer")
def registrations_template(event_id: int):
    event = managed_event(event_id)
    return Response(template_xlsx(event), mimetype=XLSX, headers={
        "Content-Disposition": exports.attachment(f"报名模板-{event.name}.xlsx", "registration-template.xlsx")})


@bp.route("/events/<int:event_id>/registrations/export.xlsx", methods=["GET"])
@roles("admin", "organizer")
def registrations_export(event_id: int):
    event = managed_event(event_id)
    return Response(exports.registrations_xlsx(event), mimetype=XLSX, headers={
        "Content-Disposition": exports.attachment(f"报名名单-{event.name}.xlsx", "registrations.xlsx")})


# ---- account claims ---------------------------------------------------------------------------

def claim_json(c) -> dict:
    return {"id": c.id, "username": c.user.username, "name_typed": c.name, "status": c.status,
            "person": {k: v for k, v in person_view(c.person, False).items() if k in ("id", "name", "id_number")},
            "created_at": timeutil.iso(c.created_at)}


@bp.route("/me/claim", methods=["POST"])
@roles("candidate")
@limiter.limit("10 per hour")
def claim_redeem():
    person = claims.redeem(current_user, json_body().get("code"))
    return jsonify({"linked": True, "person_id": person.id})


@bp.route("/claims", methods=["GET"])
@roles("admin", "organizer", "org_contact")
def claims_list():
    return jsonify(paginate(claims.claims_query(current_user), claim_json))


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@roles("admin", "organizer", "org_contact")
def claims_decide(claim_id: int):
    item = claims.decidable_claim(claim_id)
    data = json_body()
    claims.decide(item, text_field(data, "decision"), text_field(data, "reason"), current_user)
    return jsonify(claim_json(item))

"""API for registrations: entry, lists, review, withdrawal, import, template and export."""
from __future__ import annotations

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..competitions.models import Event
from ..extensions import db
from ..i18n import translate
from ..registration import exports, operations
from ..registration.importer import import_registrations, template_xlsx
from ..registration.models import Registration
from ..registration.queries import registration_json, registrations_query
from ..security import roles
from . import bp
from .util import BadBody, json_body, paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENTRY_ROLES = ("admin", "organizer", "org_contact", "candidate")


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _managed_event(event_id: int) -> Event:
    event = _event(event_id)
    if not event.competition.can_manage(current_user):
        abort(403)
    return event


def _source_for(user, event: Event) -> str:
    if user.has_role("admin") or (user.has_role("organizer") and event.competition.can_manage(user)):
        return "organizer"
    if user.has_role("org_contact"):
        return "org_contact"
    if user.has_role("candidate"):
        return "self"
    abort(403)


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@roles(*ENTRY_ROLES)
def registrations_create(event_id: int):
    event = _event(event_id)
    source = _source_for(current_user, event)
    reg = operations.register(event, json_body(), current_user, source)
    db.session.commit()
    return jsonify(registration_json(reg, current_user)), 201


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
@roles("admin", "organizer", "org_contact", "supervisor")
def registrations_list(event_id: int):
    event = _event(event_id)
    status = request.args.get("status") or None
    if current_user.has_role("admin", "supervisor") or event.competition.can_manage(current_user):
        stmt = registrations_query(event_id=event.id, status=status)
    elif current_user.has_role("org_contact") and current_user.organization_id:
        stmt = registrations_query(event_id=event.id, status=status, organization_id=current_user.organization_id)
    else:
        abort(403)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user)))


@bp.route("/registrations/<int:registration_id>", methods=["GET"])
@roles("admin", "organizer", "org_contact", "candidate", "supervisor")
def registrations_get(registration_id: int):
    reg = db.get_or_404(Registration, registration_id)
    if not operations.can_view(reg, current_user):
        abort(403)
    return jsonify(registration_json(reg, current_user))


@bp.route("/me/registrations", methods=["GET"])
@roles("candidate")
def my_registrations():
    stmt = registrations_query(person_user_id=current_user.id)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user)))


@bp.route("/registrations/<int:registration_id>/review", methods=["POST"])
@roles("admin", "organizer")
def registrations_review(registration_id: int):
    reg = db.get_or_404(Registration, registration_id)
    if not operations.can_manage(reg, current_user):
        abort(403)
    data = json_body()
    operations.review(reg, str(data.get("decision") or ""), data.get("reason"), current_user)
    db.session.commit()
    return jsonify(registration_json(reg, current_user))


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["POST"])
@roles("admin", "organizer", "org_contact", "candidate")
def registrations_withdraw(registration_id: int):
    reg = db.get_or_404(Registration, registration_id)
    if not operations.can_withdraw(reg, current_user):
        abort(403)
    operations.withdraw(reg, current_user)
    db.session.commit()
    return jsonify(registration_json(reg, current_user))


@bp.route("/events/<int:event_id>/registrations/import", methods=["POST"])
@roles("admin", "organizer")
def registrations_import(event_id: int):
    event = _managed_event(event_id)
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    outcome = import_registrations(event, upload.read(), current_user, upload.filename or "")
    db.session.commit()
    return jsonify({"created": len(outcome.ids),
                    "skipped": [{"row": s.row, "message": translate(s.message, s.params)} for s in outcome.skipped]}), 201


@bp.route("/events/<int:event_id>/registrations/template.xlsx", methods=["GET"])
@roles("admin", "organizer")
def registrations_template(event_id: int):
    event = _managed_event(event_id)
    return Response(template_xlsx(event), mimetype=XLSX, headers={
        "Content-Disposition": exports.attachment(f"报名模板-{event.name}.xlsx", "registration-template.xlsx")})


@bp.route("/events/<int:event_id>/registrations/export.xlsx", methods=["GET"])
@roles("admin", "organizer")
def registrations_export(event_id: int):
    event = _managed_event(event_id)
    return Response(exports.registrations_xlsx(event), mimetype=XLSX, headers={
        "Content-Disposition": exports.attachment(f"报名名单-{event.name}.xlsx", "registrations.xlsx")})

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
from typing import Literal

from pydantic import Field

from ..domain.refdata import ID_TYPES, REGISTRATION_STATUSES
from ..registration.models import SOURCES
from . import bp
from .contract import (Date, DateTime, Id, Model, Out, PageQuery, body, choice, doc, form, page_of,
                       query)
from .reference import PersonPatch
from .util import BadBody, paginate, text_field


class EntrantIn(PersonPatch):
    """A contestant (or a team member) as entered: matched to the people on file by ID number."""
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)


class RegistrationIn(Model):
    person: EntrantIn
    organization_id: Id | None = None
    team_name: str | None = Field(None, max_length=100, description="Team events.")
    members: list[EntrantIn] | None = Field(None, description="Team events: the other members.")


class PersonViewOut(Out):
    id: int
    name: str
    id_type: choice(ID_TYPES)
    id_number: str | None = Field(description="Masked unless the caller may see it in full.")
    gender: str | None
    birth_date: Date | None
    ethnicity: str | None
    phone: str | None
    education: str | None
    skill_grade: int | None


class GlyphWarning(Out):
    person_id: int
    characters: list[str] = Field(description="Characters of the name no certificate font can print (生僻字).")


class RegistrationOut(Out):
    id: int
    event_id: int
    competition_id: int
    status: choice(REGISTRATION_STATUSES)
    source: choice(SOURCES)
    organization_id: int | None
    organization: str | None
    team_name: str | None
    person: PersonViewOut
    members: list[PersonViewOut]
    submitted_at: DateTime | None
    reviewed_at: DateTime | None
    review_reason: str | None
    withdrawn_at: DateTime | None
    version: int
    glyph_warnings: list[GlyphWarning]
    code: str | None = Field(None, description="The anonymous code (organizers; the contestant without two-layer).")
    station: int | None = None
    ticket_number: str | None = None


class RegistrationsQuery(PageQuery):
    status: choice(REGISTRATION_STATUSES) | None = None
    q: str | None = Field(None, max_length=64, description="Part of a member's name, or a whole ID number.")
    organization_id: Id | None = Field(None, description="Filed under this organization (a contact: always their own).")


class ReviewIn(Model):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(None, max_length=1000, description="Required to reject.")


class UploadForm(Model):
    file: bytes = Field(description="The spreadsheet (xlsx or csv).")


class ImportSkipped(Out):
    row: int
    message: str


class ImportOut(Out):
    created: int
    skipped: list[ImportSkipped]


class ClaimCodeIn(Model):
    code: str = Field(max_length=64, description="The claim code from the organization's contact.")


class ClaimLinkedOut(Out):
    linked: bool
    person_id: int


class ClaimPerson(Out):
    id: int
    name: str
    id_number: str | None


class ClaimOut(Out):
    id: int
    username: str
    name_typed: str | None
    status: Literal["pending", "approved", "rejected"]
    person: ClaimPerson
    created_at: DateTime | None


class DecisionIn(Model):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(None, max_length=1000, description="Required to reject.")


REGISTRATION_EXAMPLE = {"person": {"name": "拉姆", "id_type": "resident_id", "id_number": "11010519491231002X",
                                   "phone": "13900000000"}, "organization_id": 3}

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
@doc(body=RegistrationIn, ok=(201, RegistrationOut), errors=(409,), example=REGISTRATION_EXAMPLE)
def registrations_create(event_id: int):
    """Enter a contestant (or a team) into an event. A wrong ID checksum is a 422 on
    `person.id_number`; the same person twice, a closed window or a full event a 409."""
    event = db.get_or_404(Event, event_id)
    source = _source_for(current_user, event)
    reg = operations.register(event, body(), current_user, source)
    return jsonify(registration_json(reg, current_user)), 201


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
@roles("admin", "organizer", "org_contact", "supervisor")
@doc(query=RegistrationsQuery, ok=page_of(RegistrationOut))
def registrations_list(event_id: int):
    """An event's registrations (an organization's contact: their own organization's)."""
    event = db.get_or_404(Event, event_id)
    if manages(event.competition, current_user) or supervises(event.competition, current_user):
        scope = {}
    elif current_user.has_role("org_contact") and current_user.organization_id:
        scope = {"organization_id": current_user.organization_id}
    else:
        abort(403)
    q = query()  # after the access check
    if "organization_id" not in scope and q.organization_id is not None:
        scope = {"organization_id": q.organization_id}
    stmt = registrations_query(event_id=event.id, status=q.status, q=(q.q or "").strip() or None, **scope)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user), q))


@bp.route("/registrations/<int:registration_id>", methods=["GET"])
@roles("admin", "organizer", "org_contact", "candidate", "supervisor")
@doc(ok=RegistrationOut)
def registrations_get(registration_id: int):
    """One registration."""
    return jsonify(registration_json(viewable_registration(registration_id), current_user))


@bp.route("/me/registrations", methods=["GET"])
@roles("candidate")
@doc(query=PageQuery, ok=page_of(RegistrationOut))
def my_registrations():
    """The signed-in candidate's own registrations."""
    stmt = registrations_query(person_user_id=current_user.id)
    return jsonify(paginate(stmt, lambda r: registration_json(r, current_user)))


@bp.route("/registrations/<int:registration_id>/review", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ReviewIn, ok=RegistrationOut, errors=(409,), example={"decision": "approve"})
def registrations_review(registration_id: int):
    """Approve or reject a registration (a rejection needs a reason)."""
    reg = managed_registration(registration_id)
    data = body()
    operations.review(reg, text_field(data, "decision"), text_field(data, "reason"), current_user)
    return jsonify(registration_json(reg, current_user))


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["POST"])
@roles("admin", "organizer", "org_contact", "candidate")
@doc(ok=RegistrationOut, errors=(409,))
def registrations_withdraw(registration_id: int):
    """Withdraw a registration while registration is open."""
    reg = withdrawable_registration(registration_id)
    operations.withdraw(reg, current_user)
    return jsonify(registration_json(reg, current_user))


@bp.route("/events/<int:event_id>/registrations/import", methods=["POST"])
@roles("admin", "organizer")
@doc(form=UploadForm, ok=(201, ImportOut), errors=(409,))
def registrations_import(event_id: int):
    """Import registrations from the template (xlsx or csv, multipart field `file`); any bad row is a
    422 `import_rejected` listing every bad row, and nothing is written."""
    event = managed_event(event_id)
    form()
    upload = request.files.get("file")
    if upload is None:
        raise BadBody(_("Send the file as multipart/form-data in the field 'file'."))
    outcome = import_registrations(event, upload.read(), current_user, upload.filename or "")
    return jsonify({"created": len(outcome.ids),
                    "skipped": [{"row": s.row, "message": translate(s.message, s.params)} for s in outcome.skipped]}), 201


@bp.route("/events/<int:event_id>/registrations/template.xlsx", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=XLSX)
def registrations_template(event_id: int):
    """The registration template of the event (xlsx)."""
    event = managed_event(event_id)
    return Response(template_xlsx(event), mimetype=XLSX, headers={
        "Content-Disposition": exports.attachment(f"报名模板-{event.name}.xlsx", "registration-template.xlsx")})


@bp.route("/events/<int:event_id>/registrations/export.xlsx", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=XLSX)
def registrations_export(event_id: int):
    """The event's registrations as a spreadsheet."""
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
@doc(body=ClaimCodeIn, ok=ClaimLinkedOut, errors=(409,), rate_limited=True, example={"code": "K7M2-Q9XP"})
def claim_redeem():
    """Link the signed-in account to the person on file, with the claim code (10 an hour)."""
    person = claims.redeem(current_user, body().get("code"))
    return jsonify({"linked": True, "person_id": person.id})


@bp.route("/claims", methods=["GET"])
@roles("admin", "organizer", "org_contact")
@doc(query=PageQuery, ok=page_of(ClaimOut))
def claims_list():
    """Account claims waiting for a decision."""
    return jsonify(paginate(claims.claims_query(current_user), claim_json))


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@roles("admin", "organizer", "org_contact")
@doc(body=DecisionIn, ok=ClaimOut, errors=(409,), example={"decision": "approve"})
def claims_decide(claim_id: int):
    """Approve or reject an account claim."""
    item = claims.decidable_claim(claim_id)
    data = body()
    claims.decide(item, text_field(data, "decision"), text_field(data, "reason"), current_user)
    return jsonify(claim_json(item))

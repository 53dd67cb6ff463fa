"""Title-selection pages: nominate a person with a dossier, read and edit the dossier, upload,
download and delete its files; the judge's read-only dossier reached from their sheet."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..competitions.models import Event
from ..domain.dossier import FIELDS
from ..domain.errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms_util import apply_errors, perform, submit_form
from ..i18n import error_message, translate
from ..judging.queries import names_visible_to_panel
from sqlalchemy import select

from ..people.models import Organization
from ..registration.models import Registration
from ..registration.operations import RegistrationRefused, window_open
from ..registration.views import _choices, _person_data
from ..security import roles
from . import bp, operations as ops
from .forms import AttachmentForm, DossierForm, NominationForm
from .queries import file_response

NOMINATORS = ("admin", "organizer", "org_contact")
READERS = ("admin", "organizer", "org_contact", "supervisor")
DOSSIER_READERS = (*READERS, "candidate")  # a candidate reads only their own (ops.can_view)
PERSON_KEYS = ("name", "id_type", "id_number", "gender", "birth_date", "ethnicity", "phone", "education", "skill_grade")


def _nomination(registration_id: int, *, write: bool = False) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if not (ops.nominating_side(reg, current_user) if write else ops.can_view(reg, current_user)):
        abort(403)
    return reg


def _dossier(reg: Registration):
    try:
        return ops.dossier_of(reg)
    except ops.NotATitleSelection:
        abort(404)


@bp.route("/events/<int:event_id>/nominate", methods=["GET", "POST"])
@roles(*NOMINATORS)
def nominate(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not ops.can_nominate(event, current_user):
        abort(403)
    comp = event.competition
    if not ops.is_title_selection(comp):
        abort(404)
    manager = comp.can_manage(current_user)
    form = NominationForm()
    _choices(form)
    if not window_open(comp):
        flash(_("Registration for this competition is not open now."), "error")
    elif form.validate_on_submit():
        data = {"person": _person_data(form), "dossier": {k: form[k].data for k in FIELDS}}
        data["organization_id"] = (form.organization_id.data or None) if manager else current_user.organization_id
        data["nominee_organization_id"] = request.form.get("nominee_organization_id") or None
        try:
            reg = ops.nominate(event, data, current_user)
            db.session.flush()
        except ValidationFailed as exc:
            db.session.rollback()
            aliases = {f"person.{k}": k for k in PERSON_KEYS}
            aliases.update({f"dossier.{k}": k for k in FIELDS})
            apply_errors(form, exc, aliases)
        except RegistrationRefused as exc:
            db.session.rollback()
            form.form_errors = [translate(r.message, r.params) for r in exc.refusals]
        except DomainError as exc:
            db.session.rollback()
            form.form_errors = [error_message(exc)]
        else:
            flash(_("Nomination submitted for %(event)s. Add the supporting files below.", event=event.name), "success")
            return redirect(url_for("nominations.dossier_edit", registration_id=reg.id))
    own = db.session.get(Organization, current_user.organization_id) if current_user.organization_id else None
    return render_template("nominations/nominate.html", form=form, event=event, competition=comp, manager=manager,
                           organization=own, nominee_orgs=db.session.scalars(
                               select(Organization).order_by(Organization.name).limit(1000)).all())


@bp.route("/nominations/<int:registration_id>")
@roles(*DOSSIER_READERS)
def dossier(registration_id: int):
    reg = _nomination(registration_id)
    return render_template("nominations/dossier.html", reg=reg, dossier=_dossier(reg), fields=FIELDS,
                           can_edit=ops.nominating_side(reg, current_user) and ops.editable(reg))


@bp.route("/nominations/<int:registration_id>/edit", methods=["GET", "POST"])
@roles(*NOMINATORS)
def dossier_edit(registration_id: int):
    reg = _nomination(registration_id, write=True)
    dossier = _dossier(reg)
    form = DossierForm(obj=dossier if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = dossier.version
    if form.validate_on_submit():
        if submit_form(form, lambda: ops.update_dossier(reg, {k: form[k].data for k in FIELDS}, form.version.data,
                                                        current_user), _("Dossier saved.")):
            return redirect(url_for("nominations.dossier_edit", registration_id=reg.id))
    return render_template("nominations/dossier_edit.html", reg=reg, dossier=dossier, form=form,
                           upload=AttachmentForm(), editable=ops.editable(reg))


@bp.route("/nominations/<int:registration_id>/attachments", methods=["POST"])
@roles(*NOMINATORS)
def attachment_upload(registration_id: int):
    reg = _nomination(registration_id, write=True)
    _dossier(reg)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read() if upload else b""
        perform(lambda: ops.add_attachment(reg, getattr(upload, "filename", None), content, current_user),
                _("File added to the dossier."))
    return redirect(url_for("nominations.dossier_edit", registration_id=reg.id))


@bp.route("/nominations/<int:registration_id>/attachments/<int:attachment_id>")
@roles(*DOSSIER_READERS)
def attachment_download(registration_id: int, attachment_id: int):
    reg = _nomination(registration_id)
    _dossier(reg)
    return file_response(ops.attachment_of(reg, attachment_id))


@bp.route("/nominations/<int:registration_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@roles(*NOMINATORS)
def attachment_delete(registration_id: int, attachment_id: int):
    reg = _nomination(registration_id, write=True)
    _dossier(reg)
    att = ops.attachment_of(reg, attachment_id)
    perform(lambda: ops.delete_attachment(reg, att, current_user), _("File deleted."))
    return redirect(url_for("nominations.dossier_edit", registration_id=reg.id))


# ---- judges -----------------------------------------------------------------------------------

def _judge_dossier(event_id: int, code: str):
    event = db.get_or_404(Event, event_id)
    sheet = ops.judge_sheet(event, code, current_user)
    if sheet is None:
        abort(403)  # not on the panel, recused, or not a code of this event: the same answer
    return event, sheet, _dossier(sheet.registration)


@bp.route("/judge/events/<int:event_id>/sheets/<code>/dossier")
@roles("judge")
def judge_dossier(event_id: int, code: str):
    event, sheet, dossier = _judge_dossier(event_id, code)
    return render_template("nominations/judge_dossier.html", event=event, sheet=sheet, reg=sheet.registration,
                           dossier=dossier, fields=FIELDS, names=names_visible_to_panel(event),
                           attachment_endpoint="nominations.judge_attachment")


@bp.route("/judge/events/<int:event_id>/sheets/<code>/dossier/attachments/<int:attachment_id>")
@roles("judge")
def judge_attachment(event_id: int, code: str, attachment_id: int):
    _event, sheet, _d = _judge_dossier(event_id, code)
    return file_response(ops.attachment_of(sheet.registration, attachment_id))



def _chief_dossier(event_id: int, code: str):
    event = db.get_or_404(Event, event_id)
    reg = ops.chief_entry(event, code, current_user)
    if reg is None:
        abort(403)  # not this event's chief judge, recused, or not a code of the event: the same answer
    return event, reg, _dossier(reg)


@bp.route("/judge/events/<int:event_id>/entries/<code>/dossier")
@roles("chief_judge")
def chief_dossier(event_id: int, code: str):
    event, reg, dossier = _chief_dossier(event_id, code)
    return render_template("nominations/judge_dossier.html", event=event, sheet=None, reg=reg, dossier=dossier,
                           fields=FIELDS, names=names_visible_to_panel(event),
                           attachment_endpoint="nominations.chief_attachment")


@bp.route("/judge/events/<int:event_id>/entries/<code>/dossier/attachments/<int:attachment_id>")
@roles("chief_judge")
def chief_attachment(event_id: int, code: str, attachment_id: int):
    _event, reg, _d = _chief_dossier(event_id, code)
    return file_response(ops.attachment_of(reg, attachment_id))

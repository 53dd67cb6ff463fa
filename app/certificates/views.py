"""Certificate pages: the organizer's settings, preview, list, revocation and batch printing;
PDF downloads (certificate, admission ticket, bulletin); the public verification page."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.models import Competition, Event
from ..extensions import db
from ..forms_util import perform, submit_form
from ..jobs import runner
from ..jobs.models import Job
from ..registration import operations as registration_ops
from ..registration.exports import attachment
from ..registration.models import Registration
from ..security import login_required_any, public, roles
from . import bp, documents, operations
from .forms import ReasonForm, SettingsForm, VerifyForm
from .models import Certificate


def pdf_response(data: bytes, filename: str, inline: bool = True) -> Response:
    disposition = attachment(filename).replace("attachment", "inline", 1) if inline else attachment(filename)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def _managed(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if not comp.can_manage(current_user):
        abort(403)
    return comp


@bp.route("/manage/competitions/<int:competition_id>/certificates", methods=["GET", "POST"])
@roles("admin", "organizer")
def manage(competition_id: int):
    comp = _managed(competition_id)
    settings = operations.settings_for(comp)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("template", "issuing_body", "serial_pattern", "remove_background",
                                          "remove_seal", "version")}
        bg, seal = request.files.get("background"), request.files.get("seal")
        if submit_form(form, lambda: operations.update_settings(
                comp, data, current_user, background=bg.read() if bg else None, seal=seal.read() if seal else None),
                _("Certificate settings saved.")):
            return redirect(url_for("certificates.manage", competition_id=comp.id))
    elif request.method == "GET":
        db.session.commit()  # the default settings row, created on first visit
        form.version.data = settings.version
    certs = db.session.scalars(select(Certificate).where(Certificate.competition_id == comp.id)
                               .order_by(Certificate.seq)).all()
    jobs = db.session.scalars(select(Job).where(Job.competition_id == comp.id)
                              .order_by(Job.created_at.desc()).limit(5)).all()
    return render_template("certificates/manage.html", comp=comp, form=form, settings=settings, certs=certs,
                           jobs=jobs, reason_form=ReasonForm(), award_names=documents.AWARD_ZH,
                           display_code=operations.display_code, is_stale=runner.is_stale,
                           active_job=request.args.get("job"))


@bp.route("/manage/competitions/<int:competition_id>/certificates/preview.pdf")
@roles("admin", "organizer")
def preview(competition_id: int):
    comp = _managed(competition_id)
    data = documents.preview_pdf(comp)
    db.session.commit()
    return pdf_response(data, f"{comp.name}-证书样张.pdf")


@bp.route("/manage/competitions/<int:competition_id>/certificates/jobs", methods=["POST"])
@roles("admin", "organizer")
def start_job(competition_id: int):
    comp = _managed(competition_id)
    event_id = request.form.get("event_id", type=int)
    if event_id is not None and db.session.get(Event, event_id) not in comp.events:
        abort(404)
    holder = {}

    def act():
        holder["job"] = runner.create_certificate_job(comp, current_user, documents.base_url(), event_id)
    if perform(act, _("Printing started: the progress bar below follows it.")):
        runner.dispatch(holder["job"].id)
        return redirect(url_for("certificates.manage", competition_id=comp.id, job=holder["job"].id))
    return redirect(url_for("certificates.manage", competition_id=comp.id))


def _managed_cert(code: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.code == operations.normalize_code(code)))
    if cert is None:
        abort(404)
    _managed(cert.competition_id)
    return cert


@bp.route("/manage/certificates/<code>/revoke", methods=["POST"])
@roles("admin", "organizer")
def revoke(code: str):
    cert = _managed_cert(code)
    form = ReasonForm()
    if form.validate_on_submit():
        perform(lambda: operations.revoke(cert, form.reason.data, current_user),
                _("Certificate %(serial)s revoked.", serial=cert.serial))
    return redirect(url_for("certificates.manage", competition_id=cert.competition_id) + "#issued")


@bp.route("/manage/certificates/<code>/reissue", methods=["POST"])
@roles("admin", "organizer")
def reissue(code: str):
    cert = _managed_cert(code)
    form = ReasonForm()
    if form.validate_on_submit():
        perform(lambda: operations.reissue(cert, form.reason.data, current_user),
                _("A new certificate replaces %(serial)s.", serial=cert.serial))
    return redirect(url_for("certificates.manage", competition_id=cert.competition_id) + "#issued")


@bp.route("/manage/certificates/<code>.pdf")
@roles("admin", "organizer")
def certificate_by_code(code: str):
    cert = _managed_cert(code)
    return pdf_response(documents.certificate_pdf(cert), f"{cert.serial}.pdf")


# ---- downloads for the people concerned ----------------------------------------------------------

def _viewable(registration_id: int) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if not registration_ops.can_view(reg, current_user):
        abort(404)  # do not reveal that someone else's entry exists
    return reg


def certificate_for(reg: Registration, user, person_id: int | None = None) -> Certificate | None:
    """The valid certificate of this entry: the candidate's own; for others the requested member
    (default the captain)."""
    certs = db.session.scalars(select(Certificate).where(Certificate.registration_id == reg.id,
                                                         Certificate.status == "valid")).all()
    if user.has_role("candidate") and not user.has_role("admin", "organizer", "org_contact", "supervisor"):
        return next((c for c in certs if c.person.user_id == user.id), None)
    if person_id is not None:
        return next((c for c in certs if c.person_id == person_id), None)
    captain = reg.members[0].person_id if reg.members else reg.person_id
    return next((c for c in certs if c.person_id == captain), certs[0] if certs else None)


@bp.route("/registrations/<int:registration_id>/certificate.pdf")
@login_required_any
def certificate_pdf(registration_id: int):
    reg = _viewable(registration_id)
    cert = certificate_for(reg, current_user, request.args.get("person_id", type=int))
    if cert is None:
        abort(404)
    return pdf_response(documents.certificate_pdf(cert), f"{cert.serial}.pdf")


@bp.route("/registrations/<int:registration_id>/admission-ticket.pdf")
@login_required_any
def admission_ticket(registration_id: int):
    reg = _viewable(registration_id)
    data = documents.admission_ticket_pdf(reg)  # a refusal becomes the error page (web.py)
    return pdf_response(data, f"准考证-{reg.ticket_text}.pdf")


@bp.route("/manage/events/<int:event_id>/results.pdf")
@roles("admin", "organizer", "supervisor")
def bulletin(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not (event.competition.can_manage(current_user) or current_user.has_role("supervisor", "admin")):
        abort(403)
    data = documents.bulletin_pdf(event)
    return pdf_response(data, f"{event.competition.name}-{event.name}-成绩公示表.pdf")


# ---- public verification -------------------------------------------------------------------------

@bp.route("/verify")
@public
def verify_form():
    form = VerifyForm(request.args)
    if form.code.data:
        return redirect(url_for("certificates.verify", code=operations.normalize_code(form.code.data) or "-"))
    return render_template("certificates/verify.html", form=form, cert=None, view=None)


@bp.route("/verify/<code>")
@public
def verify(code: str):
    form = VerifyForm(code=operations.display_code(operations.normalize_code(code)))
    cert = db.session.scalar(select(Certificate).where(Certificate.code == operations.normalize_code(code)))
    view = operations.public_view(cert) if cert else None
    status = 200 if cert else 404
    return render_template("certificates/verify.html", form=form, cert=cert, view=view,
                           award_names=documents.AWARD_ZH), status

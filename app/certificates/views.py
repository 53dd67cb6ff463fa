"""Certificate pages: the organizer's settings, preview, list, revocation and batch printing;
PDF downloads (certificate, admission ticket, bulletin); the public verification page."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.access import managed_competition, manages, supervises
from ..competitions.models import Event
from ..downloads import pdf_response
from ..extensions import db
from ..forms_util import perform, submit_form
from ..i18n import names
from ..jobs import runner
from . import printing
from ..jobs.models import Job
from ..registration.access import viewable_registration
from ..security import login_required_any, requires_recent_auth, roles
from ..uow import on_commit
from . import bp, documents, operations
from .access import certificate_for, managed_certificate
from .addresses import address_warning
from .forms import ReasonForm, ReleaseForm, SettingsForm
from .queries import certificates_query
from .models import Certificate


@bp.route("/manage/competitions/<int:competition_id>/certificates", methods=["GET", "POST"])
@roles("admin", "organizer")
def manage(competition_id: int):
    comp = managed_competition(competition_id)
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
        form.version.data = settings.version  # the default settings row, created on first visit
    filters = {"q": (request.args.get("q") or "").strip(), "status": request.args.get("status") or "",
               "event_id": request.args.get("event_id", type=int)}
    page = db.paginate(certificates_query(comp.id, filters["q"], filters["status"], filters["event_id"]),
                       per_page=100, error_out=False)
    certs = page.items
    held_all = db.session.scalars(certificates_query(comp.id, status="held")).all()
    jobs = db.session.scalars(select(Job).where(Job.competition_id == comp.id)
                              .order_by(Job.created_at.desc()).limit(5)).all()
    held = [(c, [(ch, f"U+{ord(ch):04X}") for ch in operations.missing_characters(c)])
            for c in held_all]
    ids = [c.id for c in certs]
    replaced = dict(db.session.execute(select(Certificate.replaces_id, Certificate.serial).where(
        Certificate.replaces_id.in_(ids))).all()) if ids else {}
    return render_template("certificates/manage.html", comp=comp, form=form, settings=settings, certs=certs,
                           page=page, filters=filters,
                           address=address_warning(), replaced=replaced,
                           held=held, jobs=jobs, reason_form=ReasonForm(), award_names=names("award"),
                           display_code=operations.display_code, is_stale=runner.is_stale,
                           files_expire_at=runner.files_expire_at,
                           active_job=request.args.get("job"), serial_sample=_serial_sample(comp, settings))


def _serial_sample(comp, settings) -> dict:
    """The values a serial number is built from, for the builder's live preview, and the first
    serial the saved pattern gives."""
    from .codes import format_serial, region_of
    event = comp.events[0] if comp.events else None
    example = ""
    if event is not None:
        try:
            example = format_serial(settings.serial_pattern, comp, event, 1)
        except (KeyError, ValueError, IndexError):
            example = ""
    return {"region": region_of(comp.jurisdiction), "year": comp.year, "competition": comp.id,
            "event": event.id if event else 1, "example": example}


@bp.route("/manage/competitions/<int:competition_id>/certificates/preview.pdf")
@roles("admin", "organizer")
def preview(competition_id: int):
    comp = managed_competition(competition_id)
    data = documents.preview_pdf(comp)
    return pdf_response(data, f"{comp.name}-证书样张.pdf", ascii_name="certificate-specimen.pdf")


@bp.route("/manage/competitions/<int:competition_id>/certificates/jobs", methods=["POST"])
@roles("admin", "organizer")
def start_job(competition_id: int):
    comp = managed_competition(competition_id)
    event_id = request.form.get("event_id", type=int)
    if event_id is not None and db.session.get(Event, event_id) not in comp.events:
        abort(404)
    holder = {}

    def act():
        job = holder["job"] = printing.create_certificate_job(comp, current_user, documents.base_url(), event_id)
        on_commit(lambda: runner.dispatch(job.id))  # the worker reads the committed job
    if perform(act, _("Printing started: the progress bar below follows it.")):
        return redirect(url_for("certificates.manage", competition_id=comp.id, job=holder["job"].id))
    return redirect(url_for("certificates.manage", competition_id=comp.id))


@bp.route("/manage/certificates/<code>/revoke", methods=["POST"])
@roles("admin", "organizer")
@requires_recent_auth()
def revoke(code: str):
    cert = managed_certificate(code)
    form = ReasonForm()
    if form.validate_on_submit():
        perform(lambda: operations.revoke(cert, form.reason.data, current_user),
                _("Certificate %(serial)s revoked.", serial=cert.serial))
    return redirect(url_for("certificates.manage", competition_id=cert.competition_id) + "#issued")


@bp.route("/manage/certificates/<code>/reissue", methods=["POST"])
@roles("admin", "organizer")
def reissue(code: str):
    cert = managed_certificate(code)
    form = ReasonForm()
    if form.validate_on_submit():
        perform(lambda: operations.reissue(cert, form.reason.data, current_user),
                _("A new certificate replaces %(serial)s.", serial=cert.serial))
    return redirect(url_for("certificates.manage", competition_id=cert.competition_id) + "#issued")


@bp.route("/manage/certificates/<code>/release", methods=["POST"])
@roles("admin", "organizer")
def release(code: str):
    cert = managed_certificate(code)
    form = ReleaseForm()
    if form.validate_on_submit():
        perform(lambda: operations.release(cert, form.printed_name.data, form.reason.data, current_user,
                                           print_as_is=bool(form.print_as_is.data)),
                _("Certificate %(serial)s released: it is valid and can be printed.", serial=cert.serial))
    return redirect(url_for("certificates.manage", competition_id=cert.competition_id) + "#held")


@bp.route("/manage/certificates/<code>.pdf")
@roles("admin", "organizer")
def certificate_by_code(code: str):
    cert = managed_certificate(code)
    return pdf_response(documents.certificate_pdf(cert), f"{cert.serial}.pdf", ascii_name="certificate.pdf")


# ---- downloads for the people concerned ----------------------------------------------------------

@bp.route("/registrations/<int:registration_id>/certificate.pdf")
@login_required_any
def certificate_pdf(registration_id: int):
    reg = viewable_registration(registration_id)
    cert = certificate_for(reg, current_user, request.args.get("person_id", type=int))
    if cert is None:
        abort(404)
    return pdf_response(documents.certificate_pdf(cert), f"{cert.serial}.pdf", ascii_name="certificate.pdf")


@bp.route("/registrations/<int:registration_id>/admission-ticket.pdf")
@login_required_any
def admission_ticket(registration_id: int):
    reg = viewable_registration(registration_id)
    data = documents.admission_ticket_pdf(reg)  # a refusal becomes the error page (web.py)
    return pdf_response(data, f"准考证-{reg.ticket_text}.pdf", ascii_name=f"admission-ticket-{reg.ticket_text}.pdf")


@bp.route("/manage/events/<int:event_id>/results.pdf")
@roles("admin", "organizer", "supervisor")
def bulletin(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not (manages(event.competition, current_user) or supervises(event.competition, current_user)):
        abort(403)
    data = documents.bulletin_pdf(event)
    return pdf_response(data, f"{event.competition.name}-{event.name}-成绩公示表.pdf", ascii_name="results-bulletin.pdf")

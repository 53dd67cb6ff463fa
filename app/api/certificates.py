"""API for certificates and documents: PDFs, batch jobs, revocation, public verification."""
from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import timeutil
from ..certificates import documents, offline, operations, queries, signing
from ..certificates.access import certificate_for, managed_certificate
from ..certificates.models import Certificate
from ..certificates.queries import certificates_query
from ..competitions.access import managed_competition, manages, supervises
from ..competitions.models import Event
from ..domain.errors import N_, Collector
from ..downloads import pdf_response
from ..extensions import db
from ..certificates import printing
from ..jobs import runner
from ..jobs.access import managed_job
from ..registration.access import viewable_registration
from ..security import api_error, login_required_any, public, requires_recent_auth, roles
from ..uow import on_commit
from typing import Any

from pydantic import Field

from ..domain.awards import AWARDS
from ..jobs.models import STATUSES as JOB_STATUSES
from . import bp
from .contract import DateTime, Id, Int, Model, Out, body, choice, doc, query
from .util import paginate, query_int, text_field

CERT_STATUSES = ("valid", "revoked", "held")


class CertificateOut(Out):
    id: int
    serial: str
    code: str = Field(description="The verification code (GET /api/v1/public/certificates/{code}).")
    competition_id: int
    event_id: int
    registration_id: int
    person_id: int
    name: str
    organization: str | None
    rank: int | None
    award: choice(AWARDS) | None
    status: choice(CERT_STATUSES)
    printed_name: str | None
    missing_characters: list[str] = Field(description="held: characters the certificate fonts cannot print.")
    issued_at: DateTime | None
    revoked_at: DateTime | None
    revoke_reason: str | None
    replaces_id: int | None


class CertificateList(Out):
    items: list[CertificateOut]
    total: int = Field(description="Certificates matching the filters (all pages).")
    page: int = Field(1, ge=1)
    per_page: int = Field(500, ge=1)


class CertificatesQuery(Model):
    q: str | None = Field(None, max_length=64, description="Part of the name or the serial number.")
    status: choice(CERT_STATUSES) | None = None
    event_id: Id | None = None
    page: Int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    per_page: Int = Field(500, ge=1, le=500, description="Items per page (at most 500; 500 by default).")


class BatchIn(Model):
    event_id: Id | None = Field(None, description="One event of the competition; all events when left out.")


class JobStartedOut(Out):
    job_id: str
    status_url: str


class JobFile(Out):
    name: str
    url: str | None
    model_config = {"extra": "allow"}


class JobOut(Out):
    id: str
    kind: str
    status: choice(JOB_STATUSES)
    done: int
    total: int
    error: str | None
    stale: bool
    created_at: DateTime | None
    finished_at: DateTime | None
    files: list[dict[str, Any]] = Field(description="Each output file: name, url, and its size and pages.")
    download_url: str | None = None
    files_expire_at: DateTime | None = Field(None, description="When the files are deleted (JOB_FILE_RETENTION_DAYS after the job finished).")
    files_expired: bool = Field(False, description="The files were deleted at the end of their retention.")


class ReasonIn(Model):
    reason: str = Field(max_length=1000)


class ReleaseIn(Model):
    printed_name: str | None = Field(None, max_length=64, description="The name as it will be printed.")
    reason: str | None = Field(None, max_length=1000)
    print_as_is: bool = False


class CertificateQuery(Model):
    person_id: Id | None = Field(None, description="A team: the member whose certificate.")


class ReplacementOut(Out):
    serial: str
    code: str


class PublicCertificateOut(Out):
    status: choice(CERT_STATUSES)
    serial: str
    name_masked: str
    competition: str
    event: str
    award: choice(AWARDS) | None
    rank: int | None
    issued_at: DateTime | None
    revoked_at: DateTime | None
    revoke_reason: str | None
    replaced_by: ReplacementOut | None = Field(None, description="revoked: the certificate issued in its place.")
    signed: bool = Field(False, description="The PDF carries the issuing body's PAdES signature.")
    message: str | None = None


class QrIn(Model):
    qr: str = Field(max_length=offline.MAX_TEXT, description="The text read from the certificate's QR code.")


class QrCheckOut(Out):
    valid: bool
    reason: choice(("ok", "forged", "unknown_key", "key_revoked", "unreadable"))
    fields: dict[str, Any] = Field(description="What the signed payload states (serial, masked name, "
                                               "competition, event, award, rank, issued_on…).")
    kid: str | None
    issuer: int | None
    code: str | None = Field(description="The verification code in the text's address, if any.")


def certificate_json(c: Certificate) -> dict:
    return {"id": c.id, "serial": c.serial, "code": c.code, "competition_id": c.competition_id,
            "event_id": c.event_id, "registration_id": c.registration_id, "person_id": c.person_id,
            "name": c.name, "organization": c.organization_name, "rank": c.rank, "award": c.award,
            "status": c.status, "printed_name": c.printed_name,
            "missing_characters": operations.missing_characters(c) if c.status == "held" else [],
            "issued_at": timeutil.iso(c.issued_at), "revoked_at": timeutil.iso(c.revoked_at),
            "revoke_reason": c.revoke_reason, "replaces_id": c.replaces_id}


@bp.route("/competitions/<int:competition_id>/certificates", methods=["GET"])
@roles("admin", "organizer")
@doc(query=CertificatesQuery, ok=CertificateList)
def certificates_list(competition_id: int):
    """The competition's certificates, in issue order (?q=, ?status=, ?event_id= filter; paged)."""
    comp = managed_competition(competition_id)
    q = query()  # after the access check
    if q.status is not None and q.status not in CERT_STATUSES:
        errors = Collector()
        errors.add("status", N_("This value is not valid."))
        errors.raise_if_any()
    stmt = certificates_query(comp.id, q.q, q.status, q.event_id)
    return jsonify(paginate(stmt, certificate_json, q))


@bp.route("/competitions/<int:competition_id>/certificates", methods=["POST"])
@roles("admin", "organizer")
@doc(body=BatchIn, body_optional=True, ok=(202, JobStartedOut), errors=(409,), example={"event_id": 5})
def certificates_batch(competition_id: int):
    """Start a batch job rendering the competition's certificates (a zip, and print files)."""
    comp = managed_competition(competition_id)
    data = body()
    event_id = data.get("event_id")
    if event_id is not None and (isinstance(event_id, bool) or not isinstance(event_id, int)
                                 or db.session.get(Event, event_id) not in comp.events):
        errors = Collector()
        errors.add("event_id", N_("Give the id of one of this competition's events, or leave it out for all events."))
        errors.raise_if_any()
    job = printing.create_certificate_job(comp, current_user, documents.base_url(), event_id)
    on_commit(lambda: runner.dispatch(job.id))  # the worker reads the committed job
    return jsonify({"job_id": job.id, "status_url": url_for("api.job_status", job_id=job.id)}), 202


def _job_files_url(job):
    return lambda name: url_for("api.job_file", job_id=job.id, name=name)


@bp.route("/jobs/<job_id>", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=JobOut)
def job_status(job_id: str):
    """A batch job's progress and files."""
    job = managed_job(job_id)
    body = runner.status_json(job, _job_files_url(job))
    body["created_at"], body["finished_at"] = timeutil.iso(job.created_at), timeutil.iso(job.finished_at)
    body["files_expire_at"] = timeutil.iso(body["files_expire_at"])
    return jsonify(body)


@bp.route("/jobs/<job_id>/files/<name>", methods=["GET"])
@roles("admin", "organizer")
@doc(ok={200: ("application/zip", "application/pdf")}, errors=(410,))
def job_file(job_id: str, name: str):
    """One output file of a job (zip or PDF); 410 `gone` once its retention period has passed
    (JOB_FILE_RETENTION_DAYS) and the file was deleted."""
    response = runner.file_response(managed_job(job_id), name)
    if response is None:
        abort(404)
    return response


@bp.route("/jobs/<job_id>/resume", methods=["POST"])
@roles("admin", "organizer")
@doc(ok=(202, JobOut), errors=(409,))
def job_resume(job_id: str):
    """Resume a failed or stale job where it stopped."""
    job = managed_job(job_id)
    runner.resume(job, current_user)
    on_commit(lambda: runner.dispatch(job.id))
    body_ = runner.status_json(job, _job_files_url(job))
    body_["created_at"], body_["finished_at"] = timeutil.iso(job.created_at), timeutil.iso(job.finished_at)
    body_["files_expire_at"] = timeutil.iso(body_["files_expire_at"])
    return jsonify(body_), 202


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@roles("admin", "organizer")
@requires_recent_auth()
@doc(body=ReasonIn, ok=CertificateOut, errors=(409,), example={"reason": "成绩更正"})
def certificate_revoke(code: str):
    """Revoke a certificate (by its verification code), with the reason."""
    cert = managed_certificate(code)
    operations.revoke(cert, text_field(body(), "reason"), current_user)
    return jsonify(certificate_json(cert))


@bp.route("/certificates/<code>/reissue", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ReasonIn, ok=(201, CertificateOut), errors=(409,), example={"reason": "证书遗失补发"})
def certificate_reissue(code: str):
    """Reissue a certificate: the old one is revoked, the new one gets a new code."""
    cert = managed_certificate(code)
    new = operations.reissue(cert, text_field(body(), "reason"), current_user)
    return jsonify(certificate_json(new)), 201


@bp.route("/certificates/<code>/release", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ReleaseIn, ok=CertificateOut, errors=(409,), example={"printed_name": "王喆", "reason": "核对户籍"})
def certificate_release(code: str):
    """Release a held certificate (a name the fonts cannot print): it becomes valid, with the
    printed name checked, or printed as is."""
    cert = managed_certificate(code)
    data = body()
    as_is = data.get("print_as_is", False)
    operations.release(cert, data.get("printed_name") if isinstance(data.get("printed_name"), str) else None,
                       data.get("reason") if isinstance(data.get("reason"), str) else None, current_user,
                       print_as_is=as_is is True)
    return jsonify(certificate_json(cert))


@bp.route("/registrations/<int:registration_id>/certificate.pdf", methods=["GET"])
@login_required_any
@doc(query=CertificateQuery, ok="application/pdf")
def certificate_pdf(registration_id: int):
    """The certificate as a PDF (organizers; the contestant their own)."""
    reg = viewable_registration(registration_id)
    query()
    cert = certificate_for(reg, current_user, query_int("person_id"))
    if cert is None:
        abort(404)
    return pdf_response(documents.certificate_pdf(cert), f"{cert.serial}.pdf", inline=False,
                        ascii_name="certificate.pdf")


@bp.route("/registrations/<int:registration_id>/admission-ticket.pdf", methods=["GET"])
@login_required_any
@doc(ok="application/pdf")
def admission_ticket_pdf(registration_id: int):
    """The admission ticket (准考证) as a PDF."""
    reg = viewable_registration(registration_id)
    return pdf_response(documents.admission_ticket_pdf(reg), f"准考证-{reg.ticket_text}.pdf", inline=False,
                        ascii_name=f"admission-ticket-{reg.ticket_text}.pdf")


@bp.route("/events/<int:event_id>/results.pdf", methods=["GET"])
@roles("admin", "organizer", "supervisor")
@doc(ok="application/pdf", errors=(409,))
def bulletin_pdf(event_id: int):
    """The results bulletin (公示表) as a PDF."""
    event = db.get_or_404(Event, event_id)
    if not (manages(event.competition, current_user) or supervises(event.competition, current_user)):
        abort(403)
    return pdf_response(documents.bulletin_pdf(event), f"{event.name}-成绩公示表.pdf", inline=False,
                        ascii_name="results-bulletin.pdf")


@bp.route("/public/certificates/<code>", methods=["GET"])
@public
@doc(ok=PublicCertificateOut)
def public_certificate(code: str):
    """Verify a certificate by its code: valid, revoked (with the reason) or held for review."""
    cert = db.session.scalar(select(Certificate).where(Certificate.code == operations.normalize_code(code)))
    if cert is None:
        return api_error(404, "not_found", _("No certificate has this verification code."))
    view = queries.public_view(cert)
    body = {"status": view["status"], "serial": view["serial"], "name_masked": view["name_masked"],
            "competition": view["competition"], "event": view["event"], "award": view["award"],
            "rank": view["rank"], "issued_at": timeutil.iso(view["issued_at"]),
            "revoked_at": timeutil.iso(view["revoked_at"]), "revoke_reason": view["revoke_reason"],
            "replaced_by": {"serial": view["replaced_by"]["serial"], "code": view["replaced_by"]["code"]}
            if view["replaced_by"] else None, "signed": view["signed"]}
    if view["status"] == "held":  # neither valid nor unknown: the organizer reviews the printed name
        body["message"] = _("This certificate is pending review by the organizer and is not valid yet.")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/registrations/<int:registration_id>/credential.json", methods=["GET"])
@login_required_any
@doc(query=CertificateQuery, ok={200: ("application/vc",)}, errors=(409,))
def registration_credential(registration_id: int):
    """The Open Badges 3.0 credential of the entry's certificate (the winner's own, or ?person_id=)."""
    reg = viewable_registration(registration_id)
    cert = certificate_for(reg, current_user, query().person_id)
    if cert is None:
        abort(404)
    return documents.credential_response(cert)


@bp.route("/public/certificates/verify", methods=["POST"])
@public
@doc(body=QrIn, ok=QrCheckOut, example={"qr": "JX1:..."})
def public_verify_qr():
    """Check the text of a certificate's QR code with the published keys only: {"qr": text}."""
    text = text_field(body(), "qr") or ""
    check = offline.verify_text(text[:offline.MAX_TEXT], signing.published_keys())
    fields = dict(check.fields)
    if "issued_on" in fields:
        fields["issued_on"] = fields["issued_on"].isoformat()
    response = jsonify({"valid": check.valid, "reason": check.reason, "fields": fields, "kid": check.kid,
                        "issuer": check.issuer, "code": check.code})
    response.headers["Cache-Control"] = "no-store"
    return response

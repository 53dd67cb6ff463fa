"""Job progress for the organizer's page (polled by the progress bar) and the job's files."""
from __future__ import annotations

from flask import abort, jsonify, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..competitions.models import Competition
from ..extensions import db
from ..forms_util import perform
from ..registration.exports import attachment
from ..security import roles
from . import bp, runner
from .models import Job


def managed_job(job_id: str) -> Job:
    job = db.get_or_404(Job, job_id)
    comp = db.session.get(Competition, job.competition_id)
    if comp is None or not comp.can_manage(current_user):
        abort(404)
    return job


@bp.route("/manage/jobs/<job_id>")
@roles("admin", "organizer")
def status(job_id: str):
    job = managed_job(job_id)
    body = runner.status_json(job, lambda name: url_for("jobs.download", job_id=job.id, name=name))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/jobs/<job_id>/files/<name>")
@roles("admin", "organizer")
def download(job_id: str, name: str):
    job = managed_job(job_id)
    path = runner.file_path(job, name)
    if path is None:
        abort(404)
    mimetype = "application/zip" if name.endswith(".zip") else "application/pdf"
    response = send_file(path, mimetype=mimetype, conditional=True)
    response.headers["Content-Disposition"] = attachment(name)
    return response


@bp.route("/manage/jobs/<job_id>/resume", methods=["POST"])
@roles("admin", "organizer")
def resume(job_id: str):
    job = managed_job(job_id)
    if perform(lambda: runner.resume(job, current_user), _("The job resumes where it stopped.")):
        runner.dispatch(job.id)
    return redirect(url_for("certificates.manage", competition_id=job.competition_id, job=job.id))

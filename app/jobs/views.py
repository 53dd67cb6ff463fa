"""Job progress for the organizer's page (polled by the progress bar) and the job's files."""
from __future__ import annotations

from flask import abort, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..forms_util import perform
from ..security import roles
from ..uow import on_commit
from . import bp, runner
from .access import managed_job


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
    response = runner.file_response(managed_job(job_id), name)
    if response is None:
        abort(404)
    return response


@bp.route("/manage/jobs/<job_id>/resume", methods=["POST"])
@roles("admin", "organizer")
def resume(job_id: str):
    job = managed_job(job_id)

    def resume():
        runner.resume(job, current_user)
        on_commit(lambda: runner.dispatch(job.id))
    perform(resume, _("The job resumes where it stopped."))
    return redirect(url_for("certificates.manage", competition_id=job.competition_id, job=job.id))

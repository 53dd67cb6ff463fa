"""Who reaches a background job: the organizers of its competition (admins included); for
anyone else it does not exist (404)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..competitions.access import manages
from ..competitions.models import Competition
from ..extensions import db
from .models import Job


def managed_job(job_id: str) -> Job:
    job = db.session.get(Job, job_id) if isinstance(job_id, str) and len(job_id) <= 64 else None
    comp = db.session.get(Competition, job.competition_id) if job is not None else None
    if job is None or not manages(comp, current_user):
        abort(404)
    return job

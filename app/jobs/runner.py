"""Background jobs, whatever they do: create, dispatch, run, fail, resume, read.

A job's kind says what does its work: `register(kind, JobKind(...))`, declared in app/wiring.py
(batch certificate printing: app/certificates/printing.py). With REDIS_URL set a job goes to RQ
workers (`rq worker jiangxuan`): the task is named by its dotted path and run by app/worker.py
inside the application, so nothing here imports the application or the areas above. Without
Redis it runs in a background thread of the app. Progress lives in the database (jobs table), so
the web process, in-process threads and workers on other machines all see the same numbers.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from ..audit.operations import record
from ..domain.errors import N_, DomainError
from .. import uow
from ..extensions import db
from ..models_base import utcnow
from .models import Job

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=120)
QUEUE = "jiangxuan"
RQ_TASK = "app.worker.task"  # the worker's entry point: runs a dotted-path task inside the app


class JobStateError(DomainError):
    code = "wrong_state"


@dataclass(frozen=True)
class JobKind:
    work: Callable[[Job], None]      # do (or finish) the job's work in this process
    done: Callable[[str], int]       # how much is done, counted from what is on disk
    rq_task: str                     # dotted path of the RQ task that starts the job on workers


_kinds: dict[str, JobKind] = {}


def register(kind: str, job_kind: JobKind) -> None:
    _kinds[kind] = job_kind


# ---- reading jobs -------------------------------------------------------------------------------

def job_dir(job_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", job_id or ""):
        raise ValueError("bad job id")
    return Path(current_app.config["JOB_DIR"]) / job_id


def is_stale(job: Job) -> bool:
    return job.status == "running" and (job.heartbeat_at is None or utcnow() - job.heartbeat_at > STALE_AFTER)


def file_path(job: Job, name: str) -> Path | None:
    """An output file of a finished job, by the name listed in job.files (nothing else)."""
    if name not in {f["name"] for f in job.files or []}:
        return None
    path = job_dir(job.id) / name
    return path if path.exists() else None


def status_json(job: Job, download_url=None) -> dict:
    out = {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
           "error": job.error, "stale": is_stale(job), "created_at": job.created_at, "finished_at": job.finished_at,
           "files": [dict(f, url=download_url(f["name"]) if download_url else None) for f in job.files or []]}
    zip_file = next((f["name"] for f in job.files or [] if f.get("kind") == "zip"), None)
    if job.status == "done" and download_url and zip_file:
        out["download_url"] = download_url(zip_file)
    return out


def resume(job: Job, actor) -> Job:
    if job.status == "done":
        raise JobStateError(N_("This job has finished."))
    if job.status == "running" and not is_stale(job):
        raise JobStateError(N_("This job is running."))
    before = job.status
    job.status, job.error = "queued", None
    record("job.resume", object_type="jobs", object_id=None, actor=actor, competition_id=job.competition_id,
           before={"status": before, "done": job.done}, after={"job_id": job.id, "status": "queued"})
    return job


# ---- dispatch -----------------------------------------------------------------------------------

def dispatch(job_id: str) -> None:
    """Start a committed job: on RQ when REDIS_URL is set, else in a thread of this process."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL") and not app.config.get("JOBS_IN_PROCESS"):
        from redis import Redis
        from rq import Queue
        job = db.session.get(Job, job_id)
        Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            RQ_TASK, _kinds[job.kind].rq_task, job_id, job_timeout=3600)
        return
    thread = threading.Thread(target=_run_in_app, args=(app, job_id), name=f"job-{job_id[:8]}", daemon=True)
    thread.start()
    _threads[job_id] = thread


_threads: dict[str, threading.Thread] = {}


def wait(job_id: str, timeout: float = 120) -> None:
    """For tests and the CLI: wait for an in-process job's thread."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)


def _run_in_app(app, job_id: str) -> None:
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


# ---- running ------------------------------------------------------------------------------------

def mark_running(job: Job) -> None:
    now = utcnow()
    job.status, job.started_at, job.heartbeat_at, job.error = "running", job.started_at or now, now, None
    uow.commit()


def fail(job_id: str, exc: BaseException, done: int) -> None:
    """Mark the job failed, saying why; what was done stays (on disk) and counts as done."""
    db.session.execute(update(Job).where(Job.id == job_id).values(
        status="failed", done=done, error=f"{type(exc).__name__}: {exc}"[:1000], finished_at=utcnow()))
    uow.commit()


def run(job_id: str) -> None:
    """Run (or resume) a job to the end in this process."""
    job = db.session.get(Job, job_id)
    if job is None or job.status == "done":
        return
    kind = _kinds[job.kind]
    try:
        mark_running(job)
        kind.work(job)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        db.session.rollback()
        fail(job_id, exc, kind.done(job_id))

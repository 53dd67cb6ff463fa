"""Background jobs, whatever they do: create, dispatch, run, fail, resume, read.

A job's kind says what does its work: `register(kind, JobKind(...))`, declared in app/wiring.py
(batch certificate printing: app/certificates/printing.py). With REDIS_URL set a job goes to RQ
workers (`rq worker jiangxuan`): the task is named by its dotted path and run by app/worker.py
inside the application, so nothing here imports the application or the areas above. Without
Redis it runs in a background thread of the app. Progress lives in the database (jobs table), so
the web process, in-process threads and workers on other machines all see the same numbers.

A job's files live in its folder `jobs/<job id>/` of the configured storage (app/storage: the
database by default, or an S3-compatible store, or a local directory), so every application
instance and RQ worker reaches them; a finished job's files are downloaded from there, streamed
(`file_response`). The id of the request that started a job goes with it (RQ job meta, or the
thread's context), so the job's log lines carry it (app/observability.py).

A finished (done or failed) job keeps its files for JOB_FILE_RETENTION_DAYS (default 30) after it
finished; then `expire_files` deletes its folder from the storage and records when
(job.files_deleted_at): run by `flask jobs cleanup` (cron) and at the end of every job run.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from .. import observability, storage, uow
from ..audit.operations import record
from ..domain.errors import N_, DomainError
from ..extensions import db
from ..models_base import utcnow
from .models import Job

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=120)
QUEUE = "jiangxuan"
RQ_TASK = "app.worker.task"  # the worker's entry point: runs a dotted-path task inside the app


class JobStateError(DomainError):
    code = "wrong_state"


class FilesExpired(DomainError):
    """A download of a file the job made, deleted since at the end of its retention: 410 Gone."""
    status = 410
    code = "gone"


@dataclass(frozen=True)
class JobKind:
    work: Callable[[Job], None]      # do (or finish) the job's work in this process
    done: Callable[[str], int]       # how much is done, counted from what is stored
    rq_task: str                     # dotted path of the RQ task that starts the job on workers


_kinds: dict[str, JobKind] = {}


def register(kind: str, job_kind: JobKind) -> None:
    _kinds[kind] = job_kind


# ---- reading jobs -------------------------------------------------------------------------------

def job_folder(job_id: str, sub: str | None = None) -> str:
    """The job's folder in the storage: jobs/<id> (sub: a folder of its own, such as pdf/)."""
    if not re.fullmatch(r"[0-9a-f]{32}", job_id or ""):
        raise ValueError("bad job id")
    return f"jobs/{job_id}" + (f"/{sub}" if sub else "")


def retention_days() -> int:
    return int(current_app.config.get("JOB_FILE_RETENTION_DAYS", 30))


def files_expire_at(job: Job):
    """When a finished job's files are deleted (or were due to be), or None while it runs."""
    if job.status not in ("done", "failed") or job.finished_at is None:
        return None
    return job.finished_at + timedelta(days=retention_days())


def files_expired(job: Job) -> bool:
    return job.files_deleted_at is not None


def expire_files(now=None, limit: int = 500) -> list[str]:
    """Delete the stored files of finished jobs older than the retention, from whichever storage
    backend is configured; each job is marked (files_deleted_at) as its folder goes, so a run cut
    short is taken up by the next. One audit record per run. The caller commits."""
    from sqlalchemy import select
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days())
    jobs = db.session.scalars(select(Job).where(Job.status.in_(("done", "failed")), Job.finished_at < cutoff,
                                                Job.files_deleted_at.is_(None))
                              .order_by(Job.finished_at).limit(limit)).all()
    store = storage.current()
    for job in jobs:
        store.delete_folder(job_folder(job.id))  # first: a failure leaves the job to the next run
        job.files_deleted_at = now
    if jobs:
        record("job.files_expired", object_type="jobs", object_id=None, actor=None,
               after={"jobs": [j.id for j in jobs], "retention_days": retention_days()})
    return [j.id for j in jobs]


def is_stale(job: Job) -> bool:
    return job.status == "running" and (job.heartbeat_at is None or utcnow() - job.heartbeat_at > STALE_AFTER)


def open_file(job: Job, name: str):
    """An output file of a finished job, by the name listed in job.files (nothing else):
    (size, iterator of its bytes), or None."""
    if files_expired(job) or not isinstance(name, str) or name not in {f["name"] for f in job.files or []}:
        return None
    key = f"{job_folder(job.id)}/{name}"
    store = storage.current()
    size = store.size(key)
    stream = store.stream(key) if size is not None else None
    return None if stream is None else (size, stream)


def file_response(job: Job, name: str):
    """The download of one output file (web and API alike), streamed from the storage; None: 404
    (no such file). A file the job made whose retention has passed: FilesExpired (410)."""
    from flask import Response

    from ..downloads import attachment
    if files_expired(job) and isinstance(name, str) and name in {f["name"] for f in job.files or []}:
        raise FilesExpired(N_("This job's files were deleted after the retention period; start a new batch."))
    found = open_file(job, name)
    if found is None:
        return None
    size, stream = found
    response = Response(stream, mimetype="application/zip" if name.endswith(".zip") else "application/pdf",
                        direct_passthrough=True)
    response.content_length = size
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def status_json(job: Job, download_url=None) -> dict:
    out = {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
           "error": job.error, "stale": is_stale(job), "created_at": job.created_at, "finished_at": job.finished_at,
           "files": [dict(f, url=download_url(f["name"]) if download_url and not files_expired(job) else None)
                     for f in job.files or []],
           "files_expire_at": files_expire_at(job), "files_expired": files_expired(job)}
    zip_file = next((f["name"] for f in job.files or [] if f.get("kind") == "zip"), None)
    if job.status == "done" and download_url and zip_file and not files_expired(job):
        out["download_url"] = download_url(zip_file)
    return out


def resume(job: Job, actor) -> Job:
    if job.status == "done":
        raise JobStateError(N_("This job has finished."))
    if files_expired(job):
        raise JobStateError(N_("This job's files were deleted after the retention period; start a new batch."))
    if job.status == "running" and not is_stale(job):
        raise JobStateError(N_("This job is running."))
    if job.status == "queued" and utcnow() - (job.heartbeat_at or job.created_at) <= STALE_AFTER:
        # Queued moments ago (just created, or resumed by a click a moment before): a second run
        # would render the same files at the same time. Queued for longer, its run was lost.
        raise JobStateError(N_("This job is waiting to start; it needs no resuming."))
    before = job.status
    job.status, job.error, job.heartbeat_at = "queued", None, utcnow()   # queued now
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
            RQ_TASK, _kinds[job.kind].rq_task, job_id, job_timeout=3600,
            meta={"request_id": observability.current_request_id()})  # its log lines carry the request's id
        return
    thread = threading.Thread(target=_run_in_app, args=(app, job_id, observability.current_request_id()),
                              name=f"job-{job_id[:8]}", daemon=True)
    _threads[job_id] = thread
    thread.start()


_threads: dict[str, threading.Thread] = {}  # the in-process jobs still running (each removes itself)


def wait(job_id: str, timeout: float = 120) -> None:
    """For tests and the CLI: wait for an in-process job's thread."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)


def wait_all(timeout: float = 120) -> None:
    """For tests: wait for every in-process job of this process (each up to `timeout`)."""
    for job_id in list(_threads):
        wait(job_id, timeout)


def _run_in_app(app, job_id: str, request_id: str | None = None) -> None:
    observability.job_request_id.set(request_id)
    try:
        with app.app_context():
            try:
                run(job_id)
            finally:
                db.session.remove()
    finally:
        if _threads.get(job_id) is threading.current_thread():  # not a later run of the same job
            del _threads[job_id]


def enqueue_more(task: str, *args) -> None:
    """From inside an RQ task: enqueue a follow-up task (a dotted path run by app/worker.py) on the
    same queue and connection, carrying the request id of the job's request."""
    from rq import Queue, get_current_job
    current = get_current_job()
    Queue(QUEUE, connection=current.connection).enqueue(
        RQ_TASK, task, *args, job_timeout=3600, meta={"request_id": observability.current_request_id()})


# ---- running ------------------------------------------------------------------------------------

def mark_running(job: Job) -> None:
    now = utcnow()
    job.status, job.started_at, job.heartbeat_at, job.error = "running", job.started_at or now, now, None
    uow.commit()


def fail(job_id: str, exc: BaseException, done: int) -> None:
    """Mark the job failed, saying why; what was done stays stored and counts as done."""
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
    cleanup()


def cleanup() -> None:
    """After a job: delete the files whose retention ended (never failing the job that ran)."""
    try:
        expired = expire_files()
        uow.commit()
        if expired:
            log.info("deleted the files of %d expired jobs", len(expired))
    except Exception:  # noqa: BLE001 - the next run tries again
        db.session.rollback()
        log.warning("expired job files not deleted", exc_info=True)

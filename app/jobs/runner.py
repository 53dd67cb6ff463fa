"""Batch certificate printing.

A job renders every valid certificate of a competition (or one event) into
`JOB_DIR/<job id>/pdf/<serial>.pdf`, then writes one zip of them and merged print files of at
most PDF_PRINT_PAGES pages. Progress is the number of PDFs on disk, so a job that was killed
resumes where it stopped and never renders a certificate twice; serials were fixed when the
certificates were issued, so a resumed job cannot duplicate one.

Where it runs: with REDIS_URL set, on RQ workers (`rq worker jiangxuan`), split into chunks so
that workers on several machines share a big batch (JOB_DIR must then be a shared volume);
without Redis, in a background thread of the app. Either way the rendering itself uses a pool
of PDF_WORKERS processes that load fonts once, collect garbage after each document and are
replaced after PDF_WORKER_MAX_TASKS documents, so memory stays flat.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import re
import secrets
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from .. import pdf
from ..audit.operations import record
from ..certificates.documents import TEMPLATE_FILES, image_urls
from ..certificates.models import Certificate
from ..certificates.operations import certificate_context, settings_for
from ..competitions.models import Competition
from ..domain.errors import N_, DomainError
from .. import uow
from ..extensions import db
from ..models_base import utcnow
from .models import Job

log = logging.getLogger(__name__)
CHUNK = 100          # certificates per RQ task
STALE_AFTER = timedelta(seconds=120)
QUEUE = "jiangxuan"


class JobStateError(DomainError):
    code = "wrong_state"


# ---- creating and reading jobs ------------------------------------------------------------------

def _scope(comp_id: int, event_id: int | None):
    stmt = select(Certificate).where(Certificate.competition_id == comp_id, Certificate.status == "valid")
    if event_id is not None:
        stmt = stmt.where(Certificate.event_id == event_id)
    return stmt.order_by(Certificate.seq)


def create_certificate_job(comp: Competition, actor, base_url: str, event_id: int | None = None) -> Job:
    if comp.status not in ("final", "archived"):
        raise JobStateError(N_("Certificates are printed once the competition is final."))
    total = len(db.session.scalars(_scope(comp.id, event_id)).all())
    if total == 0:
        raise JobStateError(N_("There is no valid certificate to print."))
    job = Job(id=secrets.token_hex(16), kind="certificates", competition_id=comp.id, event_id=event_id,
              params={"base_url": base_url}, total=total, created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    record("job.create", object_type="jobs", object_id=None, actor=actor, competition_id=comp.id,
           event_id=event_id, after={"job_id": job.id, "kind": job.kind, "total": total})
    return job


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
        Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            "app.jobs.runner.rq_plan", job_id, job_timeout=3600)
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


_rq_app = None


def _rq_context():
    global _rq_app
    if _rq_app is None:
        from .. import create_app
        _rq_app = create_app()
    return _rq_app.app_context()


def rq_plan(job_id: str) -> None:
    """RQ task: split the job into chunks other workers can take."""
    from rq import Queue, get_current_job
    with _rq_context():
        job = db.session.get(Job, job_id)
        if job is None or job.status == "done":
            return
        _mark_running(job)
        serials = [c.serial for c in db.session.scalars(_scope(job.competition_id, job.event_id))]
        q = Queue(QUEUE, connection=get_current_job().connection)
        for i in range(0, len(serials), CHUNK):
            q.enqueue("app.jobs.runner.rq_chunk", job_id, serials[i:i + CHUNK], job_timeout=3600)
        db.session.remove()


def rq_chunk(job_id: str, serials: list[str]) -> None:
    with _rq_context():
        try:
            job = db.session.get(Job, job_id)
            if job is None or job.status in ("done", "failed"):
                return
            _render(job, set(serials))
            _finish_if_complete(job)
        except Exception as exc:  # a failed chunk fails the job; what was rendered stays
            db.session.rollback()
            _fail(job_id, exc)
            raise
        finally:
            db.session.remove()


# ---- running ------------------------------------------------------------------------------------

def _mark_running(job: Job) -> None:
    now = utcnow()
    job.status, job.started_at, job.heartbeat_at, job.error = "running", job.started_at or now, now, None
    uow.commit()


def _fail(job_id: str, exc: BaseException) -> None:
    """Mark the job failed, saying why; what was rendered stays on disk and counts as done."""
    done = sum(1 for _ in (job_dir(job_id) / "pdf").glob("*.pdf"))
    db.session.execute(update(Job).where(Job.id == job_id).values(
        status="failed", done=done, error=f"{type(exc).__name__}: {exc}"[:1000], finished_at=utcnow()))
    uow.commit()


def run(job_id: str) -> None:
    """Run (or resume) a job to the end in this process."""
    job = db.session.get(Job, job_id)
    if job is None or job.status == "done":
        return
    try:
        _mark_running(job)
        _render(job)
        _finish_if_complete(job)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        db.session.rollback()
        _fail(job_id, exc)


def _safe_name(serial: str) -> str:
    return re.sub(r"[^\w\-.]", "_", serial) + ".pdf"


def _progress(job: Job, pdf_dir: Path) -> None:
    done = sum(1 for _ in pdf_dir.glob("*.pdf"))
    db.session.execute(update(Job).where(Job.id == job.id).values(done=done, heartbeat_at=utcnow()))
    uow.commit()


def _render(job: Job, only: set[str] | None = None) -> None:
    cfg = current_app.config
    comp = db.session.get(Competition, job.competition_id)
    settings = settings_for(comp)
    pdf_dir = job_dir(job.id) / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    base_url = (job.params or {}).get("base_url") or "http://localhost:5000"
    todo = []
    for cert in db.session.scalars(_scope(job.competition_id, job.event_id)):
        if only is not None and cert.serial not in only:
            continue
        if not (pdf_dir / _safe_name(cert.serial)).exists():
            todo.append(certificate_context(cert, settings, base_url))
    uow.commit()  # no transaction stays open while rendering
    _progress(job, pdf_dir)
    if not todo:
        return
    template = TEMPLATE_FILES[settings.template]
    assets = [(settings.background, "image/jpeg")] if settings.background else []
    if settings.seal:
        assets.append((settings.seal, "image/png"))
    urls = image_urls(settings)
    for ctx in todo:
        ctx.update(urls)
    font_dir = cfg["PDF_FONT_DIR"]
    workers = int(cfg.get("PDF_WORKERS") or 0)
    last = time.monotonic()

    def save(serial: str, data: bytes) -> None:
        nonlocal last
        target = pdf_dir / _safe_name(serial)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # a killed job never leaves half a PDF under the final name
        if time.monotonic() - last > 0.5:
            _progress(job, pdf_dir)
            last = time.monotonic()

    if workers <= 0:
        _init_worker(font_dir, assets, template)
        for ctx in todo:
            save(*_render_task(ctx))
    else:
        context = multiprocessing.get_context("spawn")  # never fork a process holding DB connections
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(font_dir, assets, template),
                                 max_tasks_per_child=int(cfg.get("PDF_WORKER_MAX_TASKS") or 200)) as ex:
            for serial, data in ex.map(_render_task, todo, chunksize=4):
                save(serial, data)
    _progress(job, pdf_dir)


def _finish_if_complete(job: Job) -> None:
    db.session.refresh(job)
    serials = [c.serial for c in db.session.scalars(_scope(job.competition_id, job.event_id))]
    root = job_dir(job.id)
    pdf_dir = root / "pdf"
    paths = [pdf_dir / _safe_name(s) for s in serials]
    if not all(p.exists() for p in paths):
        return
    files = _assemble(root, paths, int(current_app.config.get("PDF_PRINT_PAGES") or 500))
    result = db.session.execute(update(Job).where(Job.id == job.id, Job.status == "running").values(
        status="done", done=len(paths), total=len(paths), files=files, finished_at=utcnow(), heartbeat_at=utcnow()))
    uow.commit()
    if result.rowcount:
        log.info("job %s done: %d certificates", job.id, len(paths))


def _assemble(root: Path, paths: list[Path], pages_per_file: int) -> list[dict]:
    """One zip of the PDFs and merged print files of at most `pages_per_file` pages."""
    from pypdf import PdfWriter
    files = []
    zip_tmp = root / "certificates.zip.part"
    with zipfile.ZipFile(zip_tmp, "w", compression=zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for p in paths:
            zf.write(p, arcname=p.name)
    os.replace(zip_tmp, root / "certificates.zip")
    files.append({"name": "certificates.zip", "kind": "zip", "size": (root / "certificates.zip").stat().st_size,
                  "count": len(paths)})
    part = 0
    for start in range(0, len(paths), pages_per_file):
        part += 1
        writer = PdfWriter()
        for p in paths[start:start + pages_per_file]:
            writer.append(str(p))
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        name = f"certificates-print-{part:02d}.pdf"
        tmp = root / (name + ".part")
        with open(tmp, "wb") as fh:
            writer.write(fh)
        writer.close()
        os.replace(tmp, root / name)
        files.append({"name": name, "kind": "print", "size": (root / name).stat().st_size,
                      "pages": len(paths[start:start + pages_per_file])})
        gc.collect()
    return files


# ---- worker processes ---------------------------------------------------------------------------

_worker: dict = {}


def _init_worker(font_dir: str, assets: list, template: str) -> None:
    renderer = pdf.renderer(font_dir)
    for data, mime in assets:
        renderer.add_asset(data, mime)
    _worker.update(font_dir=font_dir, template=template)


GC_EVERY = 20  # a full collection costs ~45 ms; after every 20th document memory stays flat


def _render_task(ctx: dict) -> tuple[str, bytes]:
    data = pdf.renderer(_worker["font_dir"]).render(_worker["template"], c=ctx, preview=False)
    _worker["count"] = _worker.get("count", 0) + 1
    if _worker["count"] % GC_EVERY == 0:
        gc.collect()
    return ctx["serial"], data


def status_json(job: Job, download_url=None) -> dict:
    out = {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
           "error": job.error, "stale": is_stale(job), "created_at": job.created_at, "finished_at": job.finished_at,
           "files": [dict(f, url=download_url(f["name"]) if download_url else None) for f in job.files or []]}
    if job.status == "done" and download_url:
        out["download_url"] = download_url("certificates.zip")
    return out

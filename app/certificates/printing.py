"""Batch certificate printing.

A job renders every valid certificate of a competition (or one event) in groups of one design,
each group one many-page document (certificates/batch.py): the group's document goes to
`jobs/<job id>/parts/` for the print files, and its pages, split and signed (PAdES), to
`jobs/<job id>/pdf/<serial>.pdf` — the digital PDFs handed out. It then writes one zip of the
digital PDFs and print files of at most PDF_PRINT_PAGES pages, named after the competition and
the job. Those folders are in the configured storage (app/storage: the database by default, or
an S3-compatible store, or a local directory; runner.job_folder), so every application instance
and RQ worker reaches them. Progress is the number of digital PDFs stored; a group is done when
its part and all its PDFs are there (the part is written last), so a job that was killed resumes
where it stopped and never renders a finished group twice; serials were fixed at issue, so a
resumed job cannot duplicate one.

Where it runs: with REDIS_URL set, on RQ workers (`rq worker jiangxuan`), split into chunks so
that workers on several machines share a big batch; without Redis, in a background thread of the
app (app/jobs/runner.py dispatches; app/worker.py is the RQ worker's entry point). Either way the
rendering itself uses a pool
of PDF_WORKERS processes that load fonts and keys once, collect garbage every few groups and are
replaced after about PDF_WORKER_MAX_TASKS certificates, so memory stays flat.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import re
import secrets
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from .. import observability, storage, uow
from ..audit.operations import record
from ..competitions.models import Competition
from ..domain.errors import N_
from ..extensions import db
from ..jobs import runner
from ..jobs.models import Job
from ..jobs.runner import JobKind, JobStateError, job_folder
from ..models_base import utcnow
from . import batch
from .documents import TEMPLATE_FILES
from .models import Certificate
from .operations import settings_for
from .queries import certificate_context, design_images

log = logging.getLogger(__name__)
CHUNK = 100          # certificates per RQ task


# ---- creating the job ---------------------------------------------------------------------------

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


# ---- on RQ workers (app/worker.py runs these inside the application) -----------------------------

def rq_plan(job_id: str) -> None:
    """RQ task: split the job into chunks other workers can take."""
    job = db.session.get(Job, job_id)
    if job is None or job.status == "done":
        return
    runner.mark_running(job)
    log.info("job %s: planning chunks", job_id)
    plan, _designs = _plan(job, full=False)
    chunk: list[str] = []
    for group in plan:  # whole render groups per task, about CHUNK certificates each
        chunk += [c["serial"] for c in group["items"]]
        if len(chunk) >= CHUNK:
            runner.enqueue_more(f"{__name__}.rq_chunk", job_id, chunk)
            chunk = []
    if chunk:
        runner.enqueue_more(f"{__name__}.rq_chunk", job_id, chunk)


def rq_chunk(job_id: str, serials: list[str]) -> None:
    log.info("job %s: rendering a chunk of %d certificates", job_id, len(serials))
    try:
        job = db.session.get(Job, job_id)
        if job is None or job.status in ("done", "failed"):
            return
        _render(job, set(serials))
        _finish_if_complete(job)
    except Exception as exc:  # a failed chunk fails the job; what was rendered stays
        db.session.rollback()
        runner.fail(job_id, exc, done_files(job_id))
        raise


# ---- running ------------------------------------------------------------------------------------

def work(job: Job) -> None:
    """Render what the job still lacks, then assemble its files (runner.run marks it running and
    failed)."""
    _render(job)
    _finish_if_complete(job)


def done_files(job_id: str) -> int:
    """Progress is the number of digital PDFs stored (what was rendered counts as done)."""
    return len(storage.current().names(job_folder(job_id, "pdf")))


KIND = JobKind(work=work, done=done_files, rq_task=f"{__name__}.rq_plan")


def _safe_name(serial: str) -> str:
    return re.sub(r"[^\w\-.]", "_", serial) + ".pdf"


def _progress(job: Job) -> None:
    done = done_files(job.id)
    db.session.execute(update(Job).where(Job.id == job.id).values(done=done, heartbeat_at=utcnow()))
    uow.commit()


def _plan(job: Job, only: set[str] | None = None, full: bool = True) -> tuple[list[dict], dict]:
    """The job's render groups (certificates.batch.groups) and each design's template and images.

    `only`: the groups of these serials alone (an RQ chunk is made of whole groups, and a group's
    make-up depends on its own serials only, so the chunk's groups come out the same); `full=False`:
    the grouping alone (serial, seq, design), without the printed contexts — the costly part (QR
    codes), which a chunk must not recompute for the whole job."""
    comp = db.session.get(Competition, job.competition_id)
    base_url = (job.params or {}).get("base_url") or "http://localhost:5000"
    settings = None
    items, designs = [], {}
    stmt = _scope(job.competition_id, job.event_id)
    if only is not None:
        stmt = stmt.where(Certificate.serial.in_(sorted(only)))
    for cert in db.session.scalars(stmt):
        if not full:
            items.append({"serial": cert.serial, "seq": cert.seq, "design": cert.design_id or 0})
            continue
        if cert.design is None and settings is None:
            settings = settings_for(comp)  # certificates issued before designs were kept
        ctx = certificate_context(cert, settings, base_url)
        key = cert.design_id or 0
        if key not in designs:
            designs[key] = {"template": TEMPLATE_FILES[ctx["template"]], "assets": design_images(cert, settings)}
        ctx.update(design=key, seq=cert.seq, issuer_id=cert.issuer_id)
        items.append(ctx)
    return batch.groups(items, GROUP), designs


GROUP = batch.GROUP


def _render(job: Job, only: set[str] | None = None) -> None:
    """Render the groups this job (or this chunk of it) still lacks: a group is done when its print
    part and every one of its digital PDFs are stored."""
    cfg = current_app.config
    store = storage.current()
    pdf_folder, parts_folder = job_folder(job.id, "pdf"), job_folder(job.id, "parts")
    plan, designs = _plan(job, only)
    uow.commit()  # no transaction stays open while rendering
    _progress(job)
    have_pdfs, have_parts = store.names(pdf_folder), store.names(parts_folder)
    todo = []
    for group in plan:
        serials = [c["serial"] for c in group["items"]]
        if only is not None and not set(serials) & only:
            continue
        if group["name"] in have_parts and all(_safe_name(s) in have_pdfs for s in serials):
            continue
        design = designs[group["design"]]
        todo.append({"name": group["name"], "template": design["template"], "assets": design["assets"],
                     "items": group["items"]})
    if not todo:
        return
    font_dir = cfg["PDF_FONT_DIR"]
    workers = int(cfg.get("PDF_WORKERS") or 0)
    last = time.monotonic()

    def save(name: str, document: bytes, singles: list[tuple[str, bytes]], seconds: float = 0.0) -> None:
        nonlocal last
        observability.observe_render("certificate_batch_group", seconds)
        written = time.monotonic()
        # The part last: a stored part means its group is complete (the db storage writes the
        # group in one transaction anyway).
        store.put_many([(f"{pdf_folder}/{_safe_name(serial)}", data) for serial, data in singles]
                       + [(f"{parts_folder}/{name}", document)])
        try:
            m = observability.metrics()
            m.storage_write.labels(store.name).observe(time.monotonic() - written)
            m.certificates.inc(len(singles))
        except Exception:  # metrics never stop a job
            log.debug("metrics not recorded", exc_info=True)
        if time.monotonic() - last > 0.5:
            _progress(job)
            last = time.monotonic()

    init = (font_dir, cfg.get("CERT_KEY_DIR"), cfg.get("CERT_KEY_PASSPHRASE"))
    if workers <= 0:
        batch.init_worker(*init)
        for task in todo:
            save(*_render_group_task(task))
    else:
        context = multiprocessing.get_context("spawn")  # never fork a process holding DB connections
        with ProcessPoolExecutor(workers, mp_context=context, initializer=batch.init_worker, initargs=init,
                                 max_tasks_per_child=max(1, int(cfg.get("PDF_WORKER_MAX_TASKS") or 200) // GROUP)) as ex:
            for result in ex.map(_render_group_task, todo):
                save(*result)
    _progress(job)


def _render_group_task(task: dict):
    started = time.perf_counter()
    name, document, singles = batch.render_group(task)
    return name, document, singles, time.perf_counter() - started


def _finish_if_complete(job: Job) -> None:
    db.session.refresh(job)
    plan, _designs = _plan(job, full=False)
    uow.commit()
    store = storage.current()
    pdfs = [_safe_name(c["serial"]) for g in plan for c in g["items"]]
    parts = [g["name"] for g in plan]
    if not (set(pdfs) <= store.names(job_folder(job.id, "pdf"))
            and set(parts) <= store.names(job_folder(job.id, "parts"))):
        return
    comp = db.session.get(Competition, job.competition_id)
    files = _assemble(store, job.id, pdfs, parts, [len(g["items"]) for g in plan],
                      int(current_app.config.get("PDF_PRINT_PAGES") or 500), _file_stem(comp, job))
    result = db.session.execute(update(Job).where(Job.id == job.id, Job.status == "running").values(
        status="done", done=len(pdfs), total=len(pdfs), files=files, finished_at=utcnow(), heartbeat_at=utcnow()))
    uow.commit()
    if result.rowcount:
        log.info("job %s done: %d certificates", job.id, len(pdfs))


def _file_stem(comp: Competition, job: Job) -> str:
    """An ASCII stem naming the batch's files after the competition and the job (each download has
    a name of its own): certificates-c3-e6-1a2b3c4d."""
    event = f"-e{job.event_id}" if job.event_id else ""
    return f"certificates-c{comp.id}{event}-{job.id[:8]}"


def _assemble(store, job_id: str, pdfs: list[str], parts: list[str], sizes: list[int], pages_per_file: int,
              stem: str) -> list[dict]:
    """One zip of the digital PDFs, and print files of at most `pages_per_file` pages made of the
    groups' documents (each group document is already many pages: merging them is cheap). Each is
    built in a local scratch directory, then stored."""
    with tempfile.TemporaryDirectory(prefix="jx-job-") as tmp:
        return _assemble_in(store, job_id, Path(tmp), pdfs, parts, sizes, pages_per_file, stem)


def _assemble_in(store, job_id, root: Path, pdfs, parts, sizes, pages_per_file, stem) -> list[dict]:
    import io

    from pypdf import PdfWriter
    folder = job_folder(job_id)
    files = []
    zip_name = f"{stem}.zip"
    with zipfile.ZipFile(root / zip_name, "w", compression=zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for name, data in store.iter_files(f"{folder}/pdf", pdfs):
            zf.writestr(name, data)
    store.put_file(f"{folder}/{zip_name}", root / zip_name)
    files.append({"name": zip_name, "kind": "zip", "size": (root / zip_name).stat().st_size, "count": len(pdfs)})
    (root / zip_name).unlink()
    part_no, writer, pages = 0, None, 0

    def flush():
        nonlocal writer, pages, part_no
        if writer is None:
            return
        part_no += 1
        name = f"{stem}-print-{part_no:02d}.pdf"
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        with open(root / name, "wb") as fh:
            writer.write(fh)
        writer.close()
        store.put_file(f"{folder}/{name}", root / name)
        files.append({"name": name, "kind": "print", "size": (root / name).stat().st_size, "pages": pages})
        (root / name).unlink()
        writer, pages = None, 0
        gc.collect()

    for name, size in zip(parts, sizes):
        part = store.read(f"{folder}/parts/{name}")  # one group document at a time (several MB each)
        if part is None:
            raise storage.StorageError(f"missing {folder}/parts/{name}")
        start = 0
        while start < size:
            if writer is not None and pages >= pages_per_file:
                flush()
            writer = writer or PdfWriter()
            take = min(size - start, pages_per_file - pages)
            writer.append(io.BytesIO(part), pages=(start, start + take))
            pages += take
            start += take
    flush()
    return files

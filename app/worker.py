"""The RQ worker's entry point (`rq worker jiangxuan`): every task runs inside one application,
built once per worker process (its logs configured as the app's: JSON lines with LOG_FORMAT=json).

Tasks are enqueued as `task("<dotted path>", *args)` (app/jobs/runner.py), so the job code below
never imports the application: this module is the one place at the top that does. The id of the
request that started the job travels in the RQ job's meta; the task's log lines carry it.
"""
from __future__ import annotations

from werkzeug.utils import import_string

from . import observability
from .extensions import db

_app = None


def _request_id() -> str | None:
    """The id of the request that started this RQ task's job (its log lines carry it)."""
    from rq import get_current_job
    current = get_current_job()
    return (current.meta or {}).get("request_id") if current is not None else None


def task(path: str, *args) -> None:
    global _app
    if _app is None:
        from . import create_app
        _app = create_app()
        observability.configure_logging(_app)
    observability.job_request_id.set(_request_id())
    with _app.app_context():
        try:
            import_string(path)(*args)
        finally:
            db.session.remove()

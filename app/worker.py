"""The RQ worker's entry point (`rq worker jiangxuan`): every task runs inside one application,
built once per worker process.

Tasks are enqueued as `task("<dotted path>", *args)` (app/jobs/runner.py), so the job code below
never imports the application: this module is the one place at the top that does.
"""
from __future__ import annotations

from werkzeug.utils import import_string

from .extensions import db

_app = None


def task(path: str, *args) -> None:
    global _app
    if _app is None:
        from . import create_app
        _app = create_app()
    with _app.app_context():
        try:
            import_string(path)(*args)
        finally:
            db.session.remove()

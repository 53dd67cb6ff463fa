"""Public reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), when one is set.

Only reads that are public, read-only and tolerate a replica's lag of a second or so go there:
the name + ID number lookup of results day (every candidate asks at once, each a couple of
indexed queries). Everything else — every write, every organizer's page, the cache builder that
publishing runs — stays on the primary (DATABASE_URL). Without a replica the same code reads the
primary through the request's own session.

A result published a moment ago may be missing on the replica for the lag: the lookup then gives
its usual "nothing found" answer, and the candidate asks again.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from .config import normalize_database_url
from .extensions import db

_engines: dict[str, object] = {}


def engine(app: Flask | None = None):
    """The replica's engine (one per process and URL), or None when none is configured."""
    app = app or current_app
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    url = normalize_database_url(url)
    made = _engines.get(url)
    if made is None:
        made = _engines[url] = create_engine(url, pool_pre_ping=True)
    return made


def session() -> Session:
    """A read session for public reads: the replica's (one per request, closed at its end), or
    the request's own session on the primary."""
    eng = engine()
    if eng is None:
        return db.session
    s = g.get("_replica_session")
    if s is None:
        s = g._replica_session = Session(bind=eng, autoflush=False, expire_on_commit=False)
    return s


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc=None):
        s = g.pop("_replica_session", None)
        if s is not None:
            s.close()

"""Public reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), when one is set.

Only reads that are public, read-only and tolerate a replica's lag of a second or so go there:
the name + ID number lookup of results day (every candidate asks at once, each a couple of
indexed queries). Everything else — every write, every organizer's page, the cache builder that
publishing runs — stays on the primary (DATABASE_URL). Without a replica the same code reads the
primary through the request's own session.

A result published a moment ago may be missing on the replica for the lag: the lookup then gives
its usual "nothing found" answer, and the candidate asks again.

Without a replica, PostgreSQL's public reads go through an engine of their own on the primary, in
autocommit and without the pool's ping: a lookup is one statement, and the ping, BEGIN and COMMIT
around it were three of its five round trips to PostgreSQL (on a busy machine each costs a
scheduling wait of the database's process). A connection that died meanwhile (the server
restarted) is noticed by the read itself, which `read_all` then repeats once on a new connection:
safe, as a read changes nothing.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
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


def _primary_reads(app: Flask):
    """This process's engine for public reads on the primary (PostgreSQL): autocommit, no ping."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    made = _engines.get(("reads", url))
    if made is None:
        made = _engines[("reads", url)] = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    return made


def session() -> Session:
    """A read session for public reads, one per request and closed at its end: the replica's, or
    on PostgreSQL without one the primary's public-read engine (autocommit: each statement its own
    snapshot; never for writes), or elsewhere the request's own session."""
    eng = engine()
    if eng is None:
        if db.engine.dialect.name != "postgresql":
            return db.session
        eng = _primary_reads(current_app)
    s = g.get("_replica_session")
    if s is None:
        s = g._replica_session = Session(bind=eng, autoflush=False, expire_on_commit=False)
    return s


def read_all(statement, params: dict | None = None) -> list:
    """The rows of a public read (a Core statement: no ORM entities, so it runs on the session's
    connection without the ORM's per-statement work), repeated once on a fresh connection when
    the first one turned out dead (a restarted server: the pool drops it and every connection as old)."""
    reads = session()
    try:
        return reads.connection().execute(statement, params or {}).all()
    except DBAPIError as exc:
        if not exc.connection_invalidated or reads is db.session:
            raise
        reads.rollback()
        return reads.connection().execute(statement, params or {}).all()


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc=None):
        s = g.pop("_replica_session", None)
        if s is not None:
            s.close()

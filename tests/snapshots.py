"""Scenario snapshots: a costly scenario fixture (`drawn`, `final`, the tenancy world, the analytics
year) is built through the operations once per test process, and every later test that asks for it
gets the database put back to that state instead of building it again.

- Taken only when the database is clean when the fixture starts (no audit event, no user): a test
  that built something first gets the scenario built on top, as before.
- SQLite: the database's pages are copied to a file beside it (the backup API), and back.
  PostgreSQL: every table is copied into a schema of its own (`jx_snap_<name>`) with the sequences'
  values, and copied back with triggers and foreign-key checks off for that transaction (as the
  per-test reset does; superuser only — otherwise nothing is cached).
- The fixture's value (dicts and lists of model objects and plain values) is kept as
  (model class, primary key) and loaded again in the test's own session.
- The issuing bodies' key files live outside the database: a snapshot whose key directory has
  changed since (a test rotated or revoked keys) is dropped and the scenario built again.
- JX_TEST_SNAPSHOTS=0 builds every scenario every time.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app.extensions import db
from tests import testdb

ENABLED = os.environ.get("JX_TEST_SNAPSHOTS", "1") != "0"
_PLAIN = (str, int, float, bool, bytes, type(None), date, datetime, Decimal)


class _Unfreezable(Exception):
    pass


class _Ref:
    __slots__ = ("cls", "identity")

    def __init__(self, cls, identity):
        self.cls, self.identity = cls, identity


def _freeze(value):
    if isinstance(value, db.Model):
        state = sa_inspect(value)
        if state.identity is None:
            raise _Unfreezable(value)
        return _Ref(type(value), state.identity)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_freeze(v) for v in value)
    if isinstance(value, _PLAIN):
        return value
    raise _Unfreezable(type(value))


def _thaw(value):
    if isinstance(value, _Ref):
        obj = db.session.get(value.cls, value.identity if len(value.identity) > 1 else value.identity[0])
        assert obj is not None, f"snapshot lost {value.cls.__name__} {value.identity}"
        return obj
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_thaw(v) for v in value)
    return value


def _keys_fingerprint() -> tuple:
    root = Path(os.environ.get("CERT_KEY_DIR", ""))
    if not root.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def _clean() -> bool:
    from app.accounts.models import User
    from app.audit.models import AuditHead
    return (db.session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) in (0, None)
            and db.session.scalar(select(User.id).limit(1)) is None)


class _Store:
    def save(self, name: str) -> None: ...
    def restore(self, name: str) -> None: ...


class _SQLiteStore(_Store):
    def _path(self, name: str) -> Path:
        base = Path(testdb.worker_url().database)
        return base.with_name(f"{base.stem}.snap-{name}{base.suffix}")

    def save(self, name: str) -> None:
        path = self._path(name)
        path.unlink(missing_ok=True)
        raw = db.engine.raw_connection()
        target = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
            raw.close()

    def restore(self, name: str) -> None:
        source = sqlite3.connect(f"file:{self._path(name)}?mode=ro", uri=True)
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            source.close()
            raw.close()

    def drop_all(self) -> None:
        base = Path(testdb.worker_url().database)
        for path in base.parent.glob(f"{base.stem}.snap-*{base.suffix}"):
            path.unlink(missing_ok=True)


class _PostgresStore(_Store):
    def __init__(self):
        self.sequences: dict[str, list[tuple[str, int]]] = {}
        self.filled: dict[str, list[str]] = {}   # the tables with rows in the snapshot: the only ones copied back

    @staticmethod
    def _tables() -> list[str]:
        return [t.name for t in db.metadata.sorted_tables]

    def save(self, name: str) -> None:
        schema = f"jx_snap_{name}"
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
            for t in self._tables():
                conn.exec_driver_sql(f'CREATE TABLE {schema}."{t}" AS TABLE "{t}"')
            probes = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {schema}.\"{t}\")" for t in self._tables())
            self.filled[name] = [row[0] for row in conn.exec_driver_sql(probes)]
            self.sequences[name] = [tuple(row) for row in conn.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL")]

    def restore(self, name: str) -> None:
        schema = f"jx_snap_{name}"
        statements = ["SET LOCAL session_replication_role = replica"]
        filled = set(self.filled[name])
        for t in self._tables():
            if t not in filled:
                continue  # empty in the snapshot, and emptied by the per-test reset
            if t == "audit_heads":
                statements.append(f'UPDATE audit_heads SET seq = s.seq, hash = s.hash FROM {schema}.audit_heads s '
                                  f"WHERE audit_heads.id = s.id")
            else:
                statements.append(f'INSERT INTO "{t}" SELECT * FROM {schema}."{t}"')
        statements += [f"SELECT setval('{seq}', {value}, true)" for seq, value in self.sequences[name]]
        with db.engine.begin() as conn:
            conn.exec_driver_sql(";\n".join(statements))


_store: _Store | None = None
_taken: dict[str, tuple[object, tuple]] = {}


def _the_store() -> _Store | None:
    global _store
    if _store is None:
        if testdb.is_postgres():
            with db.engine.connect() as conn:
                superuser = conn.exec_driver_sql(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
            _store = _PostgresStore() if superuser else _Store()
        else:
            _store = _SQLiteStore()
    return _store if type(_store) is not _Store else None


def scenario(name: str, build):
    """The value of `build()` — built on the first call in this process (and on a database that is
    not clean), restored from the snapshot afterwards."""
    store = _the_store() if ENABLED else None
    if store is None or not _clean():
        return build()
    taken = _taken.get(name)
    if taken is not None and taken[1] == _keys_fingerprint():
        db.session.remove()
        store.restore(name)
        value = _thaw(taken[0])
        db.session.commit()  # as after a build: the objects are expired and read afresh when used
        return value
    value = build()
    db.session.commit()
    try:
        frozen = _freeze(value)
    except _Unfreezable:
        return value
    store.save(name)
    _taken[name] = (frozen, _keys_fingerprint())
    return value

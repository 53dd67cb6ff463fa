"""The test databases: one migrated template per run, one copy per test process, a cheap reset
after each test. Imported by tests/conftest.py before the application, because the testing
configuration reads TEST_DATABASE_URL when it is imported.

- The base URL is TEST_DATABASE_URL as given (SQLite `instance/test.db` when unset).
- Each test process works on its own copy, named from the base and the process: pytest-xdist's
  workers are gw0, gw1, …; a run without xdist is "main". SQLite: `instance/test-gw0.db` (a run
  without xdist keeps `instance/test.db`); PostgreSQL: database `<base>__gw0` (`<base>__main`).
  The process's TEST_DATABASE_URL is set to its copy, so that subprocesses started by tests in the
  testing configuration (`flask db check`, `flask run-job`) use the same database.
- The template (`instance/test-template.db`, database `<base>__template`) is migrated once per run
  by the first process that needs it (under a file lock) and removed at the end of the run; each
  process copies it (SQLite: the backup API; PostgreSQL: CREATE DATABASE … TEMPLATE).
- Durability is off for these databases only: SQLite connections run with `synchronous=OFF`;
  the PostgreSQL copies get `ALTER DATABASE … SET synchronous_commit = off`. Server settings are
  never touched.
- After each test: SQLite copies the template's pages back over the database (the backup API,
  about a millisecond); PostgreSQL deletes every row in one round trip (a DO block; triggers and
  foreign-key checks are off for that transaction through `session_replication_role`, so the
  append-only and frozen-results rules need no DROP TRIGGER) and restarts the sequences that moved.
  A 39-table TRUNCATE cost ~1 s per test on a busy machine; this costs ~10 ms.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# The URL the run was started with (kept for the workers xdist starts later with this environment).
BASE_URL = os.environ.setdefault("JX_TEST_BASE_DATABASE_URL", os.environ.get("TEST_DATABASE_URL", ""))
WORKER = os.environ.get("PYTEST_XDIST_WORKER") or "main"
XDIST = WORKER != "main"
# One identifier per run, shared by xdist's workers (a run without xdist makes its own).
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def _normalize(url: str):
    u = make_url(url)
    if u.drivername in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def base_url():
    return _normalize(BASE_URL or f"sqlite:///{INSTANCE / 'test.db'}")


def is_postgres() -> bool:
    return base_url().get_backend_name() == "postgresql"


def _sqlite_path(suffix: str | None) -> Path:
    base = Path(base_url().database)
    return base if suffix is None else base.with_name(f"{base.stem}-{suffix}{base.suffix}")


def worker_url():
    """This process's own database."""
    u = base_url()
    if is_postgres():
        return u.set(database=f"{u.database}__{WORKER}")
    return u.set(database=str(_sqlite_path(None if WORKER == "main" else WORKER)))


def template_url():
    u = base_url()
    if is_postgres():
        return u.set(database=f"{u.database}__template")
    return u.set(database=str(_sqlite_path("template")))


def as_string(url) -> str:
    return url.render_as_string(hide_password=False)


def configure_environment() -> None:
    """Point the testing configuration (and subprocesses in it) at this process's database."""
    os.environ["TEST_DATABASE_URL"] = as_string(worker_url())


# ---- durability off (test databases only) ------------------------------------------------------

def _sqlite_no_sync(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def durability_off(engine) -> None:
    """SQLite: no fsync on this engine's connections (a crash of the test machine may lose a test
    database; nothing else). PostgreSQL: set per database when it is created (see below)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_no_sync):
        event.listen(engine, "connect", _sqlite_no_sync)


# ---- template and copies -----------------------------------------------------------------------

def key() -> str:
    """Names this run's lock and marker files (one per base database)."""
    u = base_url()
    return f"pg-{u.host}-{u.port}-{u.database}" if is_postgres() else _sqlite_path(None).stem


@contextmanager
def _lock():
    INSTANCE.mkdir(parents=True, exist_ok=True)
    with open(INSTANCE / f".{key()}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _marker() -> Path:
    return INSTANCE / f".{key()}.template-run"


def _admin_engine():
    """AUTOCOMMIT connections to the base database, for CREATE/DROP DATABASE."""
    return create_engine(as_string(base_url()), poolclass=NullPool, isolation_level="AUTOCOMMIT")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_recreate(name: str, template: str | None = None) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {_quote(name)}" + (f" TEMPLATE {_quote(template)}" if template else ""))
            # Per-database setting (not copied by TEMPLATE): commits stop waiting for the WAL flush.
            conn.exec_driver_sql(f"ALTER DATABASE {_quote(name)} SET synchronous_commit = off")
    finally:
        engine.dispose()


def _pg_drop(name: str) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        engine.dispose()


def _remove_sqlite(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def _sqlite_copy(source: Path, target: Path) -> None:
    _remove_sqlite(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_template_path() -> Path:
    return Path(template_url().database)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API), replacing the target."""
    _sqlite_copy(source, target)


def _build_template(create_app) -> None:
    """Migrate an empty template database (never create_all)."""
    from flask_migrate import upgrade

    from app.extensions import db

    url = template_url()
    if is_postgres():
        _pg_recreate(url.database)
    else:
        _remove_sqlite(Path(url.database))
    application = create_app("testing", SQLALCHEMY_DATABASE_URI=as_string(url))
    with application.app_context():
        durability_off(db.engine)
        upgrade()
        db.session.remove()
        db.engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    if not is_postgres():
        con = sqlite3.connect(url.database)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()


def create_worker_database(create_app) -> None:
    """Migrate the run's template if no process has yet, then copy it to this process's database."""
    with _lock():
        marker = _marker()
        if not marker.exists() or marker.read_text() != RUN_ID:
            _build_template(create_app)
            marker.write_text(RUN_ID)
        if is_postgres():
            _pg_recreate(worker_url().database, template=template_url().database)
        else:
            _sqlite_copy(Path(template_url().database), Path(worker_url().database))


def drop_worker_database() -> None:
    if is_postgres():
        _pg_drop(worker_url().database)
    else:
        _remove_sqlite(Path(worker_url().database))


def drop_template() -> None:
    """At the end of the run (the xdist controller, or the only process)."""
    with _lock():
        if is_postgres():
            try:
                _pg_drop(template_url().database)
            except Exception:  # noqa: BLE001 - the base database is gone or unreachable: nothing to drop
                pass
        else:
            _remove_sqlite(Path(template_url().database))
        _marker().unlink(missing_ok=True)


# ---- the reset after each test -----------------------------------------------------------------

class Resetter:
    """Puts this process's database back to the migrated state after a test."""

    def __init__(self, db):
        self.db = db
        self._template: sqlite3.Connection | None = None
        self._statement: str | None = None

    def _sqlite(self) -> None:
        if self._template is None:
            self._template = sqlite3.connect(f"file:{template_url().database}?mode=ro", uri=True,
                                             check_same_thread=False)
        raw = self.db.engine.raw_connection()
        try:
            # Every page of the template over the database (a write transaction like any other,
            # seen by the pool's other connections; schema included, so a test that dropped a
            # trigger cannot leak that to the next one).
            self._template.backup(raw.driver_connection)
        finally:
            raw.close()

    def _postgres_statement(self) -> str:
        from app.audit.operations import GENESIS

        tables = [t.name for t in reversed(self.db.metadata.sorted_tables) if t.name != "audit_heads"]
        with self.db.engine.connect() as conn:
            superuser = conn.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
        names = ", ".join("'" + t + "'" for t in tables)
        # Without superuser rights session_replication_role cannot be set: drop and re-create the
        # triggers inside the transaction instead (app/audit/triggers.py), deleting children first.
        if superuser:
            off, on = "SET LOCAL session_replication_role = replica;", ""
        else:
            from app.audit import triggers
            off = "".join(f"DROP TRIGGER IF EXISTS {n} ON {t};" for n, (t, _sql) in triggers.POSTGRES_TRIGGERS_V1.items())
            on = "".join(f"EXECUTE {_literal(sql)};" for _t, sql in triggers.POSTGRES_TRIGGERS_V1.values())
        return f"""DO $jx_reset$
DECLARE t text; s text;
BEGIN
  {off}
  FOREACH t IN ARRAY ARRAY[{names}] LOOP
    EXECUTE 'DELETE FROM ' || quote_ident(t);
  END LOOP;
  FOR s IN SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences
           WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
    PERFORM setval(s, 1, false);
  END LOOP;
  UPDATE audit_heads SET seq = 0, hash = '{GENESIS}';
  {on}
END $jx_reset$"""

    def _postgres(self) -> None:
        if self._statement is None:
            self._statement = self._postgres_statement()
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql(self._statement)

    def __call__(self) -> None:
        self.db.session.remove()
        (self._postgres if self.db.engine.dialect.name == "postgresql" else self._sqlite)()

    def close(self) -> None:
        if self._template is not None:
            self._template.close()
            self._template = None


def _literal(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"

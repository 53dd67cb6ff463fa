"""Backups of the SQLite database with SQLite's online backup API (consistent while the app
runs), checked with PRAGMA integrity_check; PostgreSQL is backed up with pg_dump -Fc (README).
A hash of the published results lets a restore be compared with what was backed up."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sqlalchemy import select

from .extensions import db


class BackupError(RuntimeError):
    pass


def sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("flask backup/restore handle the SQLite file; back up PostgreSQL with "
                          "pg_dump -Fc and restore with pg_restore (see README, Deployment)")
    return Path(url.database)


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return f"not a readable SQLite database ({exc})"
    finally:
        con.close()


def backup(target: Path) -> Path:
    source = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    status = integrity(target)
    if status != "ok":
        raise BackupError(f"the backup failed its integrity check: {status}")
    return target


def restore(source: Path) -> None:
    if not source.exists():
        raise BackupError(f"no such backup: {source}")
    status = integrity(source)
    if status != "ok":
        raise BackupError(f"the backup is damaged ({status}); nothing was restored")
    live = sqlite_path()
    db.session.remove()
    db.engine.dispose()
    src, dst = sqlite3.connect(source), sqlite3.connect(live)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def results_hash() -> str:
    """SHA-256 over every stored result (event, entry, total, rank, award, final)."""
    from .results.models import Result

    digest = hashlib.sha256()
    for row in db.session.execute(select(Result.event_id, Result.registration_id, Result.total, Result.rank,
                                         Result.award, Result.is_final)
                                  .order_by(Result.event_id, Result.registration_id)):
        digest.update(("|".join(str(v) for v in row) + "\n").encode())
    return digest.hexdigest()

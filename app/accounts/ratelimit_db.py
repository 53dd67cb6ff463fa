"""Rate-limit counters in the application's database, for deployments without Redis.

Flask-Limiter and the per-account sign-in lockout keep their counters in a `limits` storage. The
default in-memory storage counts per process, so with several gunicorn workers a limit would
hold per worker only. This storage (URI `jxdb://`) keeps fixed-window counters in the
`rate_counters` table of the application's own database, so every worker and machine counts
together; each hit is one upsert in its own short transaction. With REDIS_URL set, Redis is used
instead (faster, and it expires keys itself).
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import case, create_engine, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .models import RateCounter

_table = RateCounter.__table__


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["jxdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, database_url: str | None = None,
                 **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        if not database_url:
            raise ValueError("the jxdb:// rate-limit storage needs database_url (RATELIMIT_STORAGE_OPTIONS)")
        self._url = database_url
        self._engine = None

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _db(self):
        if self._engine is None:
            self._engine = create_engine(self._url, pool_pre_ping=True)
        return self._engine

    def _insert(self):
        return (postgresql.insert if self._db().dialect.name == "postgresql" else sqlite.insert)(_table)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        stmt = self._insert().values(key=key, count=amount, expires_at=now + expiry)
        expired = _table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[_table.c.key], set_={
            "count": case((expired, amount), else_=_table.c.count + amount),
            "expires_at": case((expired, now + expiry), else_=_table.c.expires_at),
        }).returning(_table.c.count)
        with self._db().begin() as conn:
            count = conn.execute(stmt).scalar_one()
            if random.random() < 0.01:  # nosec B311 -- housekeeping odds, not a secret: now and then, forget ended windows
                conn.execute(delete(_table).where(_table.c.expires_at < now - 3600))
        return count

    def _row(self, key: str):
        with self._db().connect() as conn:
            return conn.execute(select(_table.c.count, _table.c.expires_at).where(_table.c.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self._db().connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._db().begin() as conn:
            return conn.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self._db().begin() as conn:
            conn.execute(delete(_table).where(_table.c.key == key))

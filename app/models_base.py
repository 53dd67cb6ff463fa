"""Shared column helpers for models."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL, converted for display."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def one_of(column: str, values, name: str | None = None):
    """A CHECK constraint: the column holds one of these code names (or NULL where nullable).
    The values are written into the migration that creates the constraint, as they were then."""
    from sqlalchemy import CheckConstraint
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)

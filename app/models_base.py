"""Shared column helpers for models."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL, converted for display."""
    return datetime.now(timezone.utc).replace(tzinfo=None)

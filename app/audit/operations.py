"""The one audit service every operation calls: `record(...)`.

Events form a hash chain: each stores the hash of the previous event and its own hash over
its content. Appends are serialized by updating the single chain-head row first, which takes
the row lock on PostgreSQL and the write lock on SQLite, so two concurrent writers cannot fork
the chain.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select, update

from ..extensions import db
from ..models_base import utcnow
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def event_hash(prev_hash: str, fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _hashed_fields(ev: AuditEvent) -> dict:
    return {
        "seq": ev.seq, "created_at": ev.created_at.isoformat(), "actor_id": ev.actor_id,
        "action": ev.action, "object_type": ev.object_type, "object_id": ev.object_id,
        "competition_id": ev.competition_id, "event_id": ev.event_id,
        "before": ev.before, "after": ev.after, "reason": ev.reason,
    }


def _actor(actor):
    if actor is not None:
        return actor
    try:
        if current_user and current_user.is_authenticated:
            return current_user
    except (RuntimeError, AttributeError):  # outside a request (CLI)
        pass
    return None


def record(action: str, obj=None, *, object_type: str | None = None, object_id: int | None = None,
           before: dict | None = None, after: dict | None = None, reason: str | None = None,
           actor=None, competition_id: int | None = None, event_id: int | None = None) -> AuditEvent:
    """Append one audit event in the current transaction (flushed, not committed)."""
    actor = _actor(actor)
    if obj is not None:
        db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    # Take the chain head: this UPDATE serializes concurrent appends until commit; it answers the
    # new sequence number and the previous event's hash in the same round trip.
    # No session synchronization: the head is never loaded as an object, and the ORM's default
    # ("evaluate") would scan every object of the session on each append — quadratic in a long
    # transaction such as locking an event or a venue's batch of sheets (issue 22).
    head = db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
                              .returning(AuditHead.seq, AuditHead.hash)
                              .execution_options(synchronize_session=False)).one()
    ev = AuditEvent(
        seq=head.seq, created_at=utcnow(),
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "username", None),
        action=action, object_type=object_type or "", object_id=object_id,
        competition_id=competition_id, event_id=event_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason or None, prev_hash=head.hash,
    )
    ev.hash = event_hash(head.hash, _hashed_fields(ev))
    db.session.add(ev)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=ev.hash)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return ev


def verify_chain() -> tuple[int, AuditEvent | None]:
    """Walk the chain in order; return (events checked, first broken event or None)."""
    prev = GENESIS
    count = 0
    for ev in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
        if ev.prev_hash != prev or event_hash(prev, _hashed_fields(ev)) != ev.hash:
            return count, ev
        prev = ev.hash
        count += 1
    return count, None


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}

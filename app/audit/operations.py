"""The one audit service every operation calls: `record(...)`.

Events form a hash chain: each stores the hash of the previous event and its own hash over
its content. Appends are serialized by updating the single chain-head row first, which takes
the row lock on PostgreSQL and the write lock on SQLite, so two concurrent writers cannot fork
the chain.

A transaction takes the head once, at its first append, and holds it until it ends: its later
appends continue from the sequence number and hash it remembers (`session.info`), and the head
row is written once, just before the commit. A savepoint that rolls back takes its appends with
it, so the remembered end goes back to what it was when the savepoint began. (Before: four round
trips per append, two of them updating the head; a venue's batch of 50 sheets saved and
submitted made 100 appends in one transaction.)
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

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
    seq, prev_hash = _chain_end(db.session)
    ev = AuditEvent(
        seq=seq + 1, created_at=utcnow(),
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "username", None),
        action=action, object_type=object_type or "", object_id=object_id,
        competition_id=competition_id, event_id=event_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason or None, prev_hash=prev_hash,
    )
    ev.hash = event_hash(prev_hash, _hashed_fields(ev))
    db.session.add(ev)
    db.session.flush()
    db.session.info[_END] = (ev.seq, ev.hash)
    return ev


# ---- the chain's end, held by the transaction that appends ----------------------------------------

_END = "jx_audit_end"          # (seq, hash) of the chain's last event, as this transaction sees it
_SAVED = "jx_audit_savepoints"  # savepoint → the end when it began
_HEAD = AuditHead.__table__


def _chain_end(session: Session) -> tuple[int, str]:
    """The chain's last (seq, hash). At a transaction's first append: one UPDATE of the head row
    that changes nothing but takes its lock (PostgreSQL's row lock, SQLite's write lock) and
    answers the end; no other transaction appends until this one ends."""
    end = session.info.get(_END)
    if end is None:
        # Core table, not the mapped class: nothing in the session to synchronize.
        row = session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq)
                              .returning(_HEAD.c.seq, _HEAD.c.hash)).one()
        end = session.info[_END] = (row.seq, row.hash)
    return end


@event.listens_for(Session, "before_commit")
def _write_head(session: Session) -> None:
    end = session.info.get(_END)
    if end is not None:
        session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=end[0], hash=end[1]))


@event.listens_for(Session, "after_transaction_create")
def _remember_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(_SAVED, {})[transaction] = session.info.get(_END)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    saved = session.info.get(_SAVED, {})
    if previous_transaction.nested and previous_transaction in saved:
        # Its appends are gone; so is the head's lock if it was taken inside it (PostgreSQL
        # releases a rolled-back savepoint's row locks): the end goes back to the savepoint's.
        end = saved.pop(previous_transaction)
        if end is None:
            session.info.pop(_END, None)
        else:
            session.info[_END] = end


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    # (For a savepoint this runs before after_soft_rollback, which still needs what it saved.)
    if transaction.parent is None and not transaction.nested:  # the whole transaction ended
        session.info.pop(_END, None)
        session.info.pop(_SAVED, None)


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

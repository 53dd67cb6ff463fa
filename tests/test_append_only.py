"""The audit trail is append-only and final results are frozen by the database itself (migration
0009_append_only, app/audit/triggers.py), on SQLite and PostgreSQL alike: raw SQL cannot change
or delete an audit event, nor a final result unless its event has an open post-final correction."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.audit import triggers
from app.audit.models import AuditEvent
from app.audit.operations import record, verify_chain
from app.extensions import db
from app.results.models import Result


def _refused(sql: str, **params) -> str:
    """Run one statement in its own transaction; it must be refused. Returns the database's message."""
    db.session.close()  # the test's own session must hold no lock (TRUNCATE waits for every reader)
    with pytest.raises(DBAPIError) as info:
        with db.engine.begin() as conn:
            conn.execute(text(sql), params)
    assert isinstance(info.value, IntegrityError), info.value  # answered 409 by the app, never 500
    return str(info.value.orig)


def _run(sql: str, **params) -> int:
    db.session.close()
    with db.engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def test_the_triggers_are_installed_by_the_migrations():
    with db.engine.connect() as conn:
        assert triggers.installed_triggers(conn) == triggers.trigger_names(conn)
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() >= "0009_append_only"


def test_audit_events_cannot_be_updated_or_deleted(make_user, make_competition):
    make_competition(make_user("organizer"))
    record("test.note", object_type="note", object_id=1, reason="原因")
    db.session.commit()
    count, broken = verify_chain()
    assert broken is None and count >= 3
    assert triggers.AUDIT_MESSAGE in _refused("UPDATE audit_events SET reason = 'x' WHERE seq = 2")
    _refused("UPDATE audit_events SET hash = prev_hash")
    _refused("DELETE FROM audit_events WHERE seq = :s", s=count)
    _refused("DELETE FROM audit_events")
    if db.engine.dialect.name == "postgresql":
        _refused("TRUNCATE audit_events CASCADE")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert verify_chain() == (count, None)
    # Appending still works, and the chain stays intact.
    record("test.note", object_type="note", object_id=2)
    db.session.commit()
    assert verify_chain() == (count + 1, None)


def _results(drawn, final: bool) -> list[int]:
    event = drawn["event"]
    ids = []
    for rank, reg in enumerate(drawn["entries"], start=1):
        row = Result(event_id=event.id, competition_id=event.competition_id, registration_id=reg.id,
                     total=100 - rank, components={}, rank=rank, award=None, is_final=final)
        db.session.add(row)
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids


def test_final_results_are_frozen_unless_a_correction_is_open(drawn):
    event_id, comp_id = drawn["event"].id, drawn["comp"].id
    ids = _results(drawn, final=True)
    assert triggers.FINAL_MESSAGE in _refused("UPDATE results SET rank = rank + 1 WHERE id = :i", i=ids[0])
    _refused("UPDATE results SET is_final = false")
    _refused("DELETE FROM results WHERE id = :i", i=ids[-1])
    _refused("DELETE FROM events WHERE id = :e", e=event_id)  # nor through a cascade
    if db.engine.dialect.name == "postgresql":
        _refused("TRUNCATE results")
    # A correction of another event opens nothing here.
    other = _run("INSERT INTO final_corrections (event_id, competition_id, reason, opened_at) "
                 "SELECT id, competition_id, 'other', :now FROM events WHERE id <> :e", e=event_id, now=datetime.utcnow())
    assert other == 0  # the fixture has one event: use a closed correction of this one instead
    _run("INSERT INTO final_corrections (event_id, competition_id, reason, opened_at, closed_at) "
         "VALUES (:e, :c, '已结束的更正', :now, :now)", e=event_id, c=comp_id, now=datetime.utcnow())
    _refused("UPDATE results SET rank = rank + 1 WHERE id = :i", i=ids[0])
    # An open correction (an upheld late appeal) lets the event's final rows change.
    _run("INSERT INTO final_corrections (event_id, competition_id, reason, opened_at) "
         "VALUES (:e, :c, '迟到申诉成立', :now)", e=event_id, c=comp_id, now=datetime.utcnow())
    assert _run("UPDATE results SET rank = 7 WHERE id = :i", i=ids[0]) == 1
    assert _run("DELETE FROM results WHERE id = :i", i=ids[-1]) == 1
    _run("UPDATE final_corrections SET closed_at = :now WHERE closed_at IS NULL", now=datetime.utcnow())
    _refused("UPDATE results SET rank = 8 WHERE id = :i", i=ids[0])
    db.session.expire_all()
    assert db.session.get(Result, ids[0]).rank == 7 and db.session.get(Result, ids[-1]) is None


def test_results_before_final_change_freely(drawn):
    ids = _results(drawn, final=False)
    assert _run("UPDATE results SET rank = rank + 10") == len(ids)
    assert _run("UPDATE results SET is_final = true WHERE id = :i", i=ids[0]) == 1  # what freezing does
    _refused("UPDATE results SET rank = 1 WHERE id = :i", i=ids[0])
    assert _run("DELETE FROM results WHERE id <> :i", i=ids[0]) == len(ids) - 1


def test_flask_audit_verify_after_refused_tampering(app, make_user, make_competition):
    make_competition(make_user("organizer"))
    db.session.commit()
    _refused("UPDATE audit_events SET reason = 'x'")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain intact" in result.output, result.output

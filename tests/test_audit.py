"""The audit service: who, when, what, before → after, reason; a hash chain that detects tampering."""

from sqlalchemy import select, update

from app.audit import triggers
from app.audit.models import AuditEvent
from app.audit.operations import record, verify_chain
from app.extensions import db


def test_every_change_is_recorded_with_before_and_after(api_as, make_user, make_competition):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    api = api_as(organizer)
    api.patch(f"/competitions/{comp.id}", json={"publicity_days": 3})
    ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "competition.update")).one()
    assert ev.before == {"publicity_days": 7} and ev.after == {"publicity_days": 3}
    assert ev.actor_id == organizer.id and ev.competition_id == comp.id and ev.object_id == comp.id


def test_chain_verifies_and_detects_tampering(make_user, make_competition):
    organizer = make_user("organizer")
    make_competition(organizer)
    record("test.note", object_type="note", object_id=1, reason="原因")
    db.session.commit()
    count, broken = verify_chain()
    assert broken is None and count >= 4
    seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))
    target = seqs[1]
    # The database refuses the edit (tests/test_append_only.py); someone able to drop its triggers
    # could still make it, and the chain shows where.
    db.session.close()  # (dropping a trigger waits for every open reader of the table)
    with db.engine.begin() as conn, triggers.suspended(conn):
        conn.execute(update(AuditEvent).where(AuditEvent.seq == target).values(reason="篡改"))
    db.session.expire_all()
    _, broken = verify_chain()
    assert broken is not None and broken.seq == target


def test_audit_page_and_api_for_admin_and_supervisor(login, api_as, make_user, make_competition):
    from app.competitions.operations import assign_supervisor
    organizer = make_user("organizer")
    comp = make_competition(organizer, name="审计测试竞赛")
    make_competition(organizer, name="无人监督的竞赛")
    supervisor = make_user("supervisor", organization=organizer.organization)
    assign_supervisor(comp, supervisor, organizer)
    db.session.commit()
    # A supervisor reads the trail of the competitions assigned to them, and nothing else.
    page = login(supervisor).get("/manage/audit").get_data(as_text=True)
    assert "competition.create" in page and "审计测试竞赛" in page and "无人监督的竞赛" not in page
    body = api_as(supervisor).get("/audit?object_type=competitions").get_json()
    assert body["total"] == 1 and body["items"][0]["after"]["name"] == "审计测试竞赛"
    body = api_as(make_user("admin")).get("/audit?object_type=competitions").get_json()
    assert body["total"] == 2


def test_flask_audit_verify_command(flask_cli):
    flask = flask_cli("audit.db", migrated=True)
    assert flask("create-admin", "root", "--password", "Root-pass-2026").exit_code == 0
    result = flask("audit", "verify")
    assert result.exit_code == 0 and "intact: 1 events" in result.stdout


def _head():
    from app.audit.models import AuditHead
    db.session.expire_all()
    head = db.session.get(AuditHead, 1)
    return head.seq, head.hash


def test_a_transaction_holds_the_chain_end_and_writes_the_head_once_at_commit(make_user):
    make_user("organizer")
    db.session.commit()
    start = _head()
    events = [record("test.note", object_type="note", object_id=i) for i in range(5)]
    assert [e.seq for e in events] == list(range(start[0] + 1, start[0] + 6))
    assert [e.prev_hash for e in events] == [start[1]] + [e.hash for e in events[:-1]]
    db.session.commit()
    assert _head() == (events[-1].seq, events[-1].hash)
    # A rolled-back transaction leaves the head and the chain as they were; the next one goes on.
    record("test.note", object_type="note", object_id=9)
    db.session.rollback()
    assert _head() == (events[-1].seq, events[-1].hash)
    nxt = record("test.note", object_type="note", object_id=10)
    db.session.commit()
    assert (nxt.seq, nxt.prev_hash) == (events[-1].seq + 1, events[-1].hash)
    assert verify_chain()[1] is None


def test_a_savepoint_that_rolls_back_takes_its_appends_and_the_chain_stays_whole(make_user):
    make_user("organizer")
    db.session.commit()
    first = record("test.note", object_type="note", object_id=1)
    try:
        with db.session.begin_nested():
            record("test.note", object_type="note", object_id=2)
            record("test.note", object_type="note", object_id=3)
            raise ValueError("the savepoint's work fails")
    except ValueError:
        pass
    with db.session.begin_nested():  # a savepoint that is released keeps its append
        kept = record("test.note", object_type="note", object_id=4)
    last = record("test.note", object_type="note", object_id=5)
    db.session.commit()
    assert (kept.seq, kept.prev_hash) == (first.seq + 1, first.hash)
    assert (last.seq, last.prev_hash) == (kept.seq + 1, kept.hash)
    assert _head() == (last.seq, last.hash)
    notes = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "test.note")
                               .order_by(AuditEvent.seq)).all()
    assert notes == [1, 4, 5]
    assert verify_chain()[1] is None

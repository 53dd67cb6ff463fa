"""Migrations build the whole schema from empty, and the models match it (no drift)."""
from sqlalchemy import inspect

from app.extensions import db
from tests.conftest import FlaskCli


def test_schema_comes_from_migrations_and_matches_models(app):
    # The session's database was built by `upgrade()` only (see conftest); every model table is there.
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_flask_db_check_shows_no_drift(app):
    # `flask db check` on this process's test database (built by the migrations only).
    result = FlaskCli(app)("db", "check")
    assert result.exit_code == 0, result.output
    assert "No new upgrade operations detected" in result.output


def test_downgrade_and_upgrade_again(flask_cli):
    """On a scratch SQLite file (the test PostgreSQL database is built by the migrations each run)."""
    flask = flask_cli("scratch.db")
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = flask(*args)
        assert result.exit_code == 0, result.output


def test_upgrading_keeps_existing_rows_on_sqlite(tmp_path, flask_cli):
    """Batch migrations recreate SQLite tables; with foreign keys on, dropping the old table would
    cascade-delete referencing rows. Rows written at revision 0002 must survive the upgrade."""
    import sqlite3

    path = tmp_path / "upgrade.db"
    run = flask_cli("upgrade.db")
    assert run("db", "upgrade", "0002_registration").exit_code == 0
    con = sqlite3.connect(path)
    con.executescript("""
        INSERT INTO organizations (id, name, kind, region_code, created_at) VALUES (1, '拉萨职业技术学院', 'college', '540100', '2026-01-01');
        INSERT INTO competitions (id, name, year, level, kind, jurisdiction, registration_opens_at, registration_closes_at,
            publicity_days, appeal_window_hours, allow_multiple_events, status, status_changed_at, version, created_at)
            VALUES (1, '竞赛', 2026, 'provincial_1', 'skills', 'CN-XZ', '2026-01-01', '2026-02-01', 7, 2, 0, 'draft', '2026-01-01', 1, '2026-01-01');
        INSERT INTO events (id, competition_id, name, track, team_size, eligibility, scheme, awards, tiebreak,
            no_shared_ranks, entrant_count, version, created_at)
            VALUES (1, 1, '电工', 'staff', 1, '{}', '{"components": []}', '{}', '[]', 0, 1, 1, '2026-01-01');
        INSERT INTO people (id, name, id_type, id_number, is_frontline_worker, created_at, updated_at)
            VALUES (1, '次仁', 'passport', 'E1234567', 0, '2026-01-01', '2026-01-01');
        INSERT INTO registrations (id, event_id, competition_id, person_id, status, source, submitted_at, version)
            VALUES (1, 1, 1, 1, 'approved', 'organizer', '2026-01-01', 1);
        INSERT INTO registration_members (id, registration_id, event_id, competition_id, person_id, position, is_active)
            VALUES (1, 1, 1, 1, 1, 0, 1);
    """)
    con.commit()
    con.close()
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(path)
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("competitions", "events", "registrations", "registration_members", "people")]
    assert counts == [1, 1, 1, 1, 1]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_judging_integrity_migration_keeps_what_existing_events_did(tmp_path, flask_cli):
    """0013_judging_integrity: existing trimmed-mean schemes get trim_fallback "mean" (what they
    did so far), other schemes are untouched, existing events keep one layer; the downgrade
    takes the key away again."""
    import json
    import sqlite3

    path = tmp_path / "integrity.db"
    run = flask_cli("integrity.db")
    assert run("db", "upgrade", "0010_title_selection").exit_code == 0
    con = sqlite3.connect(path)
    trimmed = json.dumps({"aggregation": "trimmed_mean", "min_judges": 5, "components": []})
    mean = json.dumps({"aggregation": "mean", "components": []})
    con.execute("INSERT INTO competitions (id, name, year, level, kind, jurisdiction, registration_opens_at, "
                "registration_closes_at, publicity_days, appeal_window_hours, allow_multiple_events, status, "
                "status_changed_at, version, created_at, stage) VALUES (1, '竞赛', 2026, 'provincial_1', 'skills', "
                "'CN-XZ', '2026-01-01', '2026-02-01', 7, 2, 0, 'draft', '2026-01-01', 1, '2026-01-01', 'single')")
    for event_id, scheme in ((1, trimmed), (2, mean), (3, '{"components": []}')):
        con.execute("INSERT INTO events (id, competition_id, name, track, team_size, eligibility, scheme, awards, "
                    "tiebreak, no_shared_ranks, entrant_count, version, created_at) VALUES "
                    "(?, 1, '电工', 'staff', 1, '{}', ?, '{}', '[]', 0, 0, 1, '2026-01-01')", (event_id, scheme))
    con.commit()
    con.close()
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(path)
    rows = {i: (json.loads(s), t) for i, s, t in con.execute("SELECT id, scheme, two_layer FROM events")}
    con.close()
    assert rows[1][0] == {**json.loads(trimmed), "trim_fallback": "mean"}
    assert rows[2][0] == json.loads(mean) and rows[3][0] == {"components": []}
    assert {t for _s, t in rows.values()} == {0}
    assert run("db", "downgrade", "0010_title_selection").exit_code == 0
    con = sqlite3.connect(path)
    assert json.loads(con.execute("SELECT scheme FROM events WHERE id = 1").fetchone()[0]) == json.loads(trimmed)
    con.close()

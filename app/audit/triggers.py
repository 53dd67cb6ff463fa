"""Database rules behind DESIGN.md §7: the audit trail is append-only and final results are frozen.

Triggers refuse, whatever the client (the app, a SQL console, a script):
- any UPDATE or DELETE of `audit_events` (and, on PostgreSQL, TRUNCATE);
- UPDATE or DELETE of a `results` row whose `is_final` is true, unless its event has an open
  post-final correction (a `final_corrections` row of that event with `closed_at` NULL), which is
  how an upheld late appeal changes final results (on PostgreSQL, TRUNCATE of `results` while any
  frozen row exists is refused too).

A refusal is an integrity error (SQLite: RAISE(ABORT); PostgreSQL: SQLSTATE 23001
restrict_violation), so the app answers 409, never 500, should it ever try.

Migration 0009_append_only installs set V1 below. These statements are part of the migration
history: change the rules with a new set and a new migration, never by editing V1.
SQL text avoids '%' and ':name' so that it runs unchanged through any driver.
"""
from __future__ import annotations

from contextlib import contextmanager

AUDIT_MESSAGE = "audit_events is append-only"
FINAL_MESSAGE = "final results are frozen; open a post-final correction first"

_OPEN_CORRECTION = ("EXISTS (SELECT 1 FROM final_corrections fc "
                    "WHERE fc.event_id = OLD.event_id AND fc.closed_at IS NULL)")

SQLITE_TRIGGERS_V1 = {
    "audit_events_no_update":
        f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
    "audit_events_no_delete":
        f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
    "results_final_no_update":
        f"CREATE TRIGGER results_final_no_update BEFORE UPDATE ON results "
        f"WHEN OLD.is_final AND NOT {_OPEN_CORRECTION} "
        f"BEGIN SELECT RAISE(ABORT, '{FINAL_MESSAGE}'); END",
    "results_final_no_delete":
        f"CREATE TRIGGER results_final_no_delete BEFORE DELETE ON results "
        f"WHEN OLD.is_final AND NOT {_OPEN_CORRECTION} "
        f"BEGIN SELECT RAISE(ABORT, '{FINAL_MESSAGE}'); END",
}

# The functions' DDL takes only this module's own constants (no request data reaches it); they
# are spliced in with str.replace, the same text an f-string would give.
_RESULTS_FROZEN_TEMPLATE_V1 = """CREATE OR REPLACE FUNCTION jx_results_frozen() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM results r WHERE r.is_final AND NOT EXISTS (
                SELECT 1 FROM final_corrections fc WHERE fc.event_id = r.event_id AND fc.closed_at IS NULL)) THEN
            RAISE EXCEPTION USING MESSAGE = '{FINAL_MESSAGE} (TRUNCATE refused)', ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.is_final AND NOT {_OPEN_CORRECTION} THEN
        RAISE EXCEPTION USING MESSAGE = '{FINAL_MESSAGE} (' || TG_OP || ' refused)', ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$body$"""


def _fill(template: str) -> str:
    return template.replace("{FINAL_MESSAGE}", FINAL_MESSAGE).replace("{_OPEN_CORRECTION}", _OPEN_CORRECTION)


_RESULTS_FROZEN_V1 = _fill(_RESULTS_FROZEN_TEMPLATE_V1)

POSTGRES_FUNCTIONS_V1 = [
    f"""CREATE OR REPLACE FUNCTION jx_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION USING MESSAGE = '{AUDIT_MESSAGE} (' || TG_OP || ' refused)', ERRCODE = 'restrict_violation';
END
$body$""",
    _RESULTS_FROZEN_V1,
]

POSTGRES_TRIGGERS_V1 = {
    "audit_events_append_only": ("audit_events",
                                 "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                                 "FOR EACH ROW EXECUTE FUNCTION jx_audit_append_only()"),
    "audit_events_no_truncate": ("audit_events",
                                 "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                                 "FOR EACH STATEMENT EXECUTE FUNCTION jx_audit_append_only()"),
    "results_frozen": ("results",
                       "CREATE TRIGGER results_frozen BEFORE UPDATE OR DELETE ON results "
                       "FOR EACH ROW EXECUTE FUNCTION jx_results_frozen()"),
    "results_frozen_truncate": ("results",
                                "CREATE TRIGGER results_frozen_truncate BEFORE TRUNCATE ON results "
                                "FOR EACH STATEMENT EXECUTE FUNCTION jx_results_frozen()"),
}


def _postgres(conn) -> bool:
    return conn.dialect.name == "postgresql"


def trigger_names(conn) -> list[str]:
    return sorted(POSTGRES_TRIGGERS_V1 if _postgres(conn) else SQLITE_TRIGGERS_V1)


def install_triggers(conn) -> None:
    """Create the triggers (and on PostgreSQL, the functions they call) on a SQLAlchemy connection."""
    if _postgres(conn):
        for sql in POSTGRES_FUNCTIONS_V1:
            conn.exec_driver_sql(sql)
        for _table, sql in POSTGRES_TRIGGERS_V1.values():
            conn.exec_driver_sql(sql)
    else:
        for sql in SQLITE_TRIGGERS_V1.values():
            conn.exec_driver_sql(sql)


def drop_triggers(conn, functions: bool = True) -> None:
    if _postgres(conn):
        for name, (table, _sql) in POSTGRES_TRIGGERS_V1.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        if functions:
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS jx_audit_append_only()")
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS jx_results_frozen()")
    else:
        for name in SQLITE_TRIGGERS_V1:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def installed_triggers(conn) -> list[str]:
    """The names of these rules' triggers present in the database."""
    if _postgres(conn):
        rows = conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars()
    else:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
    return sorted(set(rows) & set(trigger_names(conn)))


@contextmanager
def suspended(conn):
    """Drop the triggers for the duration of the block, inside the caller's transaction, and put them
    back. For wiping a test database between tests only: the app never uses it."""
    drop_triggers(conn, functions=False)
    yield
    if _postgres(conn):
        for _table, sql in POSTGRES_TRIGGERS_V1.values():
            conn.exec_driver_sql(sql)
    else:
        for sql in SQLITE_TRIGGERS_V1.values():
            conn.exec_driver_sql(sql)

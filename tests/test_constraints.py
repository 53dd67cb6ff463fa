"""The database itself refuses a status, role or kind the application does not know (CHECK
constraints, migration 0019), whatever the client: a script, a console, a bug."""
from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from tests import tenancy_world


def _enumerated_columns():
    for table in db.metadata.sorted_tables:
        for c in table.constraints:
            if isinstance(c, CheckConstraint) and " IN (" in str(c.sqltext):
                yield table.name, str(c.sqltext).split(" IN ", 1)[0].strip()


def test_every_enumerated_column_refuses_an_unknown_code(db):
    from tests import snapshots
    snapshots.scenario("world", tenancy_world.build)  # a row in (nearly) every table
    tried = 0
    for table, column in _enumerated_columns():
        has_row = db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()  # nosec B608 (names from the metadata)
        if not has_row:
            continue
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                db.session.execute(text(f"UPDATE {table} SET {column} = 'zz'"))  # nosec B608
        tried += 1
    db.session.rollback()
    assert tried >= 25, tried

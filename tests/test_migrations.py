"""Migrations build the whole schema from empty, and the models match it (no drift)."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_schema_comes_from_migrations_and_matches_models(app):
    # The session's database was built by `upgrade()` only (see conftest); every model table is there.
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_flask_db_check_shows_no_drift():
    env = {**os.environ, "FLASK_APP": "wsgi.py", "JIANGXUAN_ENV": "testing"}
    result = subprocess.run([sys.executable, "-m", "flask", "db", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_downgrade_and_upgrade_again(tmp_path):
    """On a scratch SQLite file (or the test PostgreSQL database's own schema, via the suite)."""
    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url, "JIANGXUAN_ENV": "development"}
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

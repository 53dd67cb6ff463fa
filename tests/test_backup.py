"""flask backup / restore on SQLite: a restored database gives the same results hash."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_backup_and_restore_give_back_the_same_results(tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
           "JIANGXUAN_ENV": "development"}

    def flask(*args):
        r = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    flask("db", "upgrade")
    flask("demo")
    original = flask("results-hash").strip()
    out = flask("backup", str(tmp_path / "b.db"))
    assert "integrity ok" in out and original in out
    # Damage the live results (final ones: only with the database's guard dropped), then restore.
    con = sqlite3.connect(tmp_path / "live.db")
    con.execute("DROP TRIGGER results_final_no_update")
    con.execute("UPDATE results SET rank = rank + 1")
    con.commit()
    con.close()
    assert flask("results-hash").strip() != original
    out = flask("restore", str(tmp_path / "b.db"), "--yes")
    assert out.strip().endswith(original)
    con = sqlite3.connect(tmp_path / "live.db")
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'results_final_no_update'").fetchone() == (1,)
    con.close()  # the guard came back with the backup
    # A damaged backup is refused and nothing is touched.
    (tmp_path / "bad.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    r = subprocess.run([sys.executable, "-m", "flask", "restore", str(tmp_path / "bad.db"), "--yes"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert flask("results-hash").strip() == original

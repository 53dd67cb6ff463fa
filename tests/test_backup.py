"""flask backup / restore on SQLite: a restored database gives the same results hash."""
import sqlite3


def test_backup_and_restore_give_back_the_same_results(tmp_path, flask_cli):
    cli = flask_cli("live.db", migrated=True)

    def flask(*args):
        r = cli(*args)
        assert r.exit_code == 0, r.output
        return r.stdout

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
    r = cli("restore", str(tmp_path / "bad.db"), "--yes")
    assert r.exit_code != 0 and "damaged" in r.stderr
    assert flask("results-hash").strip() == original

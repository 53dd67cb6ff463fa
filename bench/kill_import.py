"""Fault trials: a real gunicorn server is killed with SIGKILL (master and worker together) at a
random moment while it imports a 2,000-row registration file, 20 times, on SQLite and on
PostgreSQL. After each kill the database must hold the whole import or none of it (registrations,
members, people, the event's entrant count and the import's audit event).

    .venv/bin/python bench/kill_import.py [--trials 20] [--seed 8] [--sqlite-only | --postgres-only]
                                          [--database-url postgresql://postgres@127.0.0.1:5432/jx_faults]

The PostgreSQL database given is dropped and created again. Both databases run at once, each in
its own process (the settings are read once per process). The suite runs 3 such trials
(tests/test_faults.py); this script runs the full set.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(database_url: str, trials: int, seed: int) -> list:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("JIANGXUAN_ENV", "development")
    from flask_migrate import upgrade

    from app import create_app
    from tests import faults_kit

    app = create_app()
    with app.app_context():
        upgrade()
        username, events = faults_kit.prepare(trials + 1)
    t0 = time.perf_counter()
    done = faults_kit.run_trials(database_url, username, events, seed=seed, log=lambda line: print("  " + line))
    print(f"  {faults_kit.summary(done)} ({time.perf_counter() - t0:.0f} s)")
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/jx_faults")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one database in this process
    args = ap.parse_args()
    if args.one:
        sys.exit(1 if any(t.outcome == "PARTIAL" for t in run(args.one, args.trials, args.seed)) else 0)
    urls = []
    if not args.postgres_only:
        urls.append(("SQLite", f"sqlite:///{Path(tempfile.mkdtemp(prefix='jx-faults-')) / 'faults.db'}"))
    if not args.sqlite_only:
        name = args.database_url.rsplit("/", 1)[1]
        admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]
        subprocess.run(admin + [f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(admin + [f"CREATE DATABASE {name}"], check=True)
        from app.config import normalize_database_url
        urls.append(("PostgreSQL", normalize_database_url(args.database_url)))
    t0 = time.perf_counter()
    children = [(label, url, subprocess.Popen(
        [sys.executable, __file__, "--one", url, "--trials", str(args.trials), "--seed", str(args.seed)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)) for label, url in urls]
    failed = False
    for label, url, child in children:
        out, _ = child.communicate()
        print(f"{label} ({url})")
        print("\n".join(line for line in out.splitlines() if "alembic" not in line))
        failed |= child.returncode != 0
    print(f"total {time.perf_counter() - t0:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Load benchmark for results day: gunicorn on PostgreSQL (+ Redis) serving the public results
page, its JSON, and the name + ID lookup, driven by wrk for N seconds at 32 and 256 connections,
each beside a trivial endpoint (/healthz) of the same app measured in the same run.

    .venv/bin/python bench/lookup_load.py [--seconds 60] [--database-url URL] [--redis-url URL] [--workers N] [--threads N]

Needs wrk (`apt-get install wrk`) and a PostgreSQL server; the database given is emptied.
Targets (issue 5): warm-cache public results ≥ 40% of the trivial endpoint's req/s with p99 ≤ 50 ms
at 32 connections; 0 errors at 256. The lookup's per-client limit is raised for the run (wrk is
one client); for the lookup a 404 is a served answer (a quarter of the asks miss on purpose), so
only socket errors and timeouts count as its errors.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed(database_url: str, contestants: int = 300, events: int = 5) -> tuple[int, list[tuple[str, str]]]:
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.domain.idcard import make_resident_id
    from app.extensions import db

    app = create_app()
    people = []
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        now = datetime.utcnow()
        conn = db.session.connection()
        conn.execute(text("INSERT INTO competitions (id, name, year, level, kind, jurisdiction, registration_opens_at, "
                          "registration_closes_at, publicity_days, appeal_window_hours, allow_multiple_events, status, "
                          "status_changed_at, version, created_at) VALUES (1, '2026年西藏自治区职业技能大赛', 2026, "
                          "'provincial_1', 'skills', 'CN-XZ', :a, :b, 7, 2, false, 'publicity', :now, 1, :now)"),
                     {"a": now - timedelta(days=40), "b": now - timedelta(days=30), "now": now})
        conn.execute(text("INSERT INTO organizations (id, name, kind, region_code, created_at) VALUES "
                          "(1, '拉萨职业技术学院', 'college', '540100', :now)"), {"now": now})
        rng = random.Random(5)
        rid = 0
        for e in range(1, events + 1):
            conn.execute(text("INSERT INTO events (id, competition_id, name, track, team_size, eligibility, scheme, awards, "
                              "tiebreak, no_shared_ranks, entrant_count, version, created_at, locked_at) VALUES "
                              "(:id, 1, :name, 'staff', 1, '{}', :scheme, '{\"preset\": \"prizes\"}', '[]', false, 0, 1, :now, :now)"),
                         {"id": e, "name": f"赛项{e}", "now": now,
                          "scheme": '{"aggregation": "mean", "components": [{"key": "p", "name": "实操", "weight": "1", '
                                    '"criteria": [{"key": "P1", "name": "x", "max_score": "100"}]}]}'})
            for k in range(contestants // events):
                rid += 1
                number = make_resident_id("540102", date(1980 + rid % 20, 1 + rid % 12, 1 + rid % 27), rid % 1000)
                name = "次仁" + "多吉扎西平措卓玛"[rid % 8] + "甲乙丙丁"[rid % 4]
                people.append((name, number))
                conn.execute(text("INSERT INTO people (id, name, id_type, id_number, is_frontline_worker, created_at, updated_at) "
                                  "VALUES (:id, :name, 'resident_id', :num, false, :now, :now)"),
                             {"id": rid, "name": name, "num": number, "now": now})
                conn.execute(text("INSERT INTO registrations (id, event_id, competition_id, person_id, organization_id, status, "
                                  "source, submitted_at, version, code) VALUES (:id, :e, 1, :id, 1, 'approved', 'import', :now, 1, :code)"),
                             {"id": rid, "e": e, "now": now, "code": f"A{rid:04d}"})
                conn.execute(text("INSERT INTO registration_members (registration_id, event_id, competition_id, person_id, "
                                  "position, is_active) VALUES (:id, :e, 1, :id, 0, true)"), {"id": rid, "e": e})
                conn.execute(text("INSERT INTO results (event_id, competition_id, registration_id, total, components, rank, "
                                  "award, is_final, computed_at) VALUES (:e, 1, :id, :t, '{}', :r, NULL, false, :now)"),
                             {"e": e, "id": rid, "t": f"{rng.uniform(40, 99):.2f}", "r": k + 1, "now": now})
        db.session.commit()
        db.session.execute(text("ANALYZE"))  # as autovacuum would have done long before results day
        db.session.commit()
    return 1, people


WRK_RE = {
    "rps": re.compile(r"Requests/sec:\s+([\d.]+)"),
    "non2xx": re.compile(r"Non-2xx or 3xx responses:\s+(\d+)"),
    "socket": re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"),
    "requests": re.compile(r"(\d+) requests in"),
}


def _ms(text: str) -> float:
    value = float(re.match(r"[\d.]+", text).group())
    return value / 1000 if text.endswith("us") else value * 1000 if text.endswith("s") and not text.endswith("ms") else value


def run_wrk(url: str, conns: int, seconds: int, script: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    socket = WRK_RE["socket"].search(out)
    non2xx = WRK_RE["non2xx"].search(out)
    return {"rps": float(WRK_RE["rps"].search(out).group(1)), "p50": _ms(lat.get("50", "0ms")),
            "p99": _ms(lat.get("99", "0ms")), "requests": int(WRK_RE["requests"].search(out).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(x) for x in socket.groups()) if socket else 0}


LOOKUP_LUA = """
local people = {%s}
local n = 0
request = function()
  n = n + 1
  local p = people[(n %% #people) + 1]
  local body = '{"name": "' .. p[1] .. '", "id_number": "' .. p[2] .. '"}'
  return wrk.format("POST", "/api/v1/public/lookup", {["Content-Type"] = "application/json"}, body)
end
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/jx_load")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    ap.add_argument("--port", type=int, default=5088)
    ap.add_argument("--workers", type=int, default=None,
                    help="gunicorn workers (default: gunicorn.conf.py's, one sync worker per core)")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (> 1: gthread workers)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if args.database_url.endswith("/jx_load"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", "DROP DATABASE IF EXISTS jx_load"])
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", "CREATE DATABASE jx_load"], check=True)
    comp_id, people = seed(args.database_url)
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "JIANGXUAN_ENV": "production",
           "SECRET_KEY": "bench-" + "x" * 40, "LOOKUP_RATE_LIMIT": "100000000 per minute", "SESSION_COOKIE_SECURE": "0",
           "LOG_REQUESTS": "0"}  # as bench/province_year.py: the access log is not what is measured
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True)
    gunicorn = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{args.port}",
                                 *(["--workers", str(args.workers)] if args.workers else []),
                                 *(["--threads", str(args.threads)] if args.threads > 1 else []),
                                 "--log-level", "warning", "wsgi:app"],
                                cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in (f"/results/{comp_id}", f"/api/v1/public/competitions/{comp_id}/results"):
            urllib.request.urlopen(base + path, timeout=10).read()  # warm (as publishing does)
        script = Path(tempfile.mkdtemp()) / "lookup.lua"
        sample = random.Random(1).sample(people, 200)
        entries = ", ".join('{"%s", "%s"}' % (n, i) for n, i in sample[:150]) + ", " + ", ".join(
            '{"%s", "%s"}' % ("不存在", i) for _n, i in sample[150:])  # a quarter of the asks miss
        script.write_text(LOOKUP_LUA % entries, encoding="utf-8")
        targets = [("trivial /healthz", f"{base}/healthz", None),
                   ("public results page", f"{base}/results/{comp_id}", None),
                   ("public results JSON", f"{base}/api/v1/public/competitions/{comp_id}/results", None),
                   ("lookup (POST)", f"{base}/", str(script))]
        print(f"gunicorn {args.workers or os.cpu_count()} workers × {args.threads} thread(s); PostgreSQL + Redis; {args.seconds} s per run; "
              f"{len(people)} published results")
        for conns in (32, 256):
            baseline = None
            print(f"\n{conns} connections")
            print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs trivial':>12}")
            for name, url, lua in targets:
                r = run_wrk(url, conns, args.seconds, lua)
                errors = r["socket_errors"] + (r["non2xx"] if lua is None else 0)
                if baseline is None:
                    baseline = r["rps"]
                print(f"{name:<22}{r['rps']:>10.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{errors:>8}{r['rps'] / baseline:>11.0%}")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)


if __name__ == "__main__":
    main()
